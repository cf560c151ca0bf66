using System.Data;
using System.Data.Common;
using Dapper;
using FullDbResult.Storage.Dialects;

namespace FullDbResult.Storage;

/// <summary>
/// Parameters for one statement. Times are bound with the dialect's timestamp type (SQL Server's
/// legacy DbType.DateTime would round them to 3 ms), and lists are expanded by hand so that every
/// provider sees the same plain parameters.
/// </summary>
internal sealed class SqlParameters
{
    private readonly SqlDialect _dialect;

    private readonly List<(string Name, object? Value, DbType Type)> _bindings = [];

    public SqlParameters(SqlDialect dialect) => _dialect = dialect;

    /// <summary>The parameters for Dapper.</summary>
    public DynamicParameters Parameters { get; } = new();

    /// <summary>Binds the same parameters to one statement of an ADO.NET batch, which Dapper does not run.</summary>
    public void BindTo(DbBatchCommand command)
    {
        foreach (var (name, value, type) in _bindings)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = type;
            command.Parameters.Add(parameter);
        }
    }

    private SqlParameters Bind(string name, object? value, DbType type)
    {
        Parameters.Add(name, value, type);
        _bindings.Add((name, value, type));
        return this;
    }

    public SqlParameters Add(string name, string? value) => Bind(name, value, DbType.String);

    public SqlParameters Add(string name, int? value) => Bind(name, value, DbType.Int32);

    public SqlParameters Add(string name, long? value) => Bind(name, value, DbType.Int64);

    public SqlParameters Add(string name, bool value) => Bind(name, value, DbType.Boolean);

    public SqlParameters Add(string name, DateTime? value) => Bind(name, UtcTimes.AsUtc(value), _dialect.TimestampDbType);

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
    public SqlParameters AddRow(TaskRecord record, string suffix = "")
    {
        foreach (var column in TaskRow.Columns)
            Bind(column.Property + suffix, column.Bound(record), TypeOf(column));
        return this;
    }

    /// <summary>Binds a value of a task column's type.</summary>
    public SqlParameters Add(string name, TaskColumn column, object? value) =>
        Bind(name, value is DateTime time ? UtcTimes.AsUtc(time) : value, TypeOf(column));

    private DbType TypeOf(TaskColumn column) => column.IsTime ? _dialect.TimestampDbType : column.Type;
}
