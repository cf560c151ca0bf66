using System.Data;
using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;
using FullDbResult.Tasks;

namespace FullDbResult.Storage;

/// <summary>
/// Parameters for one statement. Times are bound with the dialect's timestamp type (SQL Server's
/// legacy DbType.DateTime would round them to 3 ms), and lists are expanded by hand so that every
/// provider sees the same plain parameters.
/// </summary>
internal sealed class SqlArgs
{
    private readonly SqlDialect dialect;

    private readonly List<(string Name, object? Value, DbType Type)> bindings = [];

    public SqlArgs(SqlDialect dialect) => this.dialect = dialect;

    /// <summary>The parameters for Dapper.</summary>
    public DynamicParameters Parameters { get; } = new();

    /// <summary>Binds the same parameters to one statement of an ADO.NET batch, which Dapper does not run.</summary>
    public void BindTo(DbBatchCommand command)
    {
        foreach (var (name, value, type) in bindings)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
        }
    }

    private SqlArgs Bind(string name, object? value, DbType type)
    {
        Parameters.Add(name, value, type);
        bindings.Add((name, value, type));
        return this;
    }

    public SqlArgs Add(string name, string? value) => Bind(name, value, DbType.String);

    public SqlArgs Add(string name, int? value) => Bind(name, value, DbType.Int32);

    public SqlArgs Add(string name, long? value) => Bind(name, value, DbType.Int64);

    public SqlArgs Add(string name, bool value) => Bind(name, value, DbType.Boolean);

    public SqlArgs Add(string name, DateTime? value) => Bind(name, value is null ? null : AsUtc(value.Value), dialect.TimestampDbType);

    /// <summary>Adds one parameter per value and returns the SQL list "(@name0, @name1, ...)".</summary>
    public string In(string name, IReadOnlyCollection<string> values) => "(" + string.Join(", ", Each(name, values)) + ")";

    /// <summary>Adds one parameter per value and returns their names "@name0", "@name1", ...</summary>
    public IReadOnlyList<string> Each(string name, IReadOnlyCollection<string> values)
    {
        if (values.Count == 0) throw new ArgumentException($"The list '{name}' is empty.", nameof(values));
        var names = new List<string>(values.Count);
        foreach (var value in values)
        {
            var parameter = $"{name}{names.Count}";
            Add(parameter, value);
            names.Add("@" + parameter);
        }
        return names;
    }

    /// <summary>Binds every column of a task row, each parameter named after its property plus a suffix.</summary>
    public SqlArgs AddRecord(TaskRecord record, string suffix = "")
    {
        foreach (var column in TaskColumns.Written)
            Bind(column.Property + suffix, Value(column, record), column.IsTime ? dialect.TimestampDbType : column.Type);
        return this;
    }

    /// <summary>A column's value as it is bound: times in UTC, nulls as DBNull.</summary>
    public static object Value(TaskColumns.Column column, TaskRecord record) => column.Value(record) switch
    {
        null => DBNull.Value,
        DateTime time => AsUtc(time),
        var value => value,
    };

    public static DateTime? AsUtc(DateTime? value) => value is null ? null : AsUtc(value.Value);

    public static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
