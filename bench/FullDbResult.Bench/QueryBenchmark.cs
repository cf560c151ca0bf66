using System.Data;
using System.Data.Common;
using System.Diagnostics;
using Dapper;
using FullDbResult.Storage;
using FullDbResult.Testing;

namespace FullDbResult.Bench;

/// <summary>
/// The operator's two queries over a big store, on PostgreSQL and on an SQLite file: stale tasks
/// (Get-StaleTask) and the first page of Get-TaskResult -Name x -Status FAILURE. Rows are generated in SQL;
/// each query's median latency is printed, then the plans of the statements the store ran, to show index
/// seeks rather than scans.
/// </summary>
public static class QueryBenchmark
{
    private const int Repeats = 21;
    private const int PageSize = 100;
    private const int ThirtyDaysInSeconds = 30 * 24 * 3600;

    public static async Task RunAsync(BenchSizes sizes)
    {
        await RunAsync(new PostgresDatabase(), sizes.PostgresQueryRows);
        await RunAsync(new SqliteFile(), sizes.SqliteQueryRows);
    }

    private static async Task RunAsync(Database database, int rows)
    {
        var store = new TaskStore(new StoreConnection(database.ConnectionString, database.Provider));
        try
        {
            await store.MigrateAsync();
            var filled = Stopwatch.StartNew();
            await using (var connection = await OpenAsync(store))
                await database.FillAsync(connection, rows);
            Console.WriteLine($"\nfilled {rows:N0} rows in {database.Name} in {filled.Elapsed.TotalSeconds:F0} s");

            var table = new ResultTable($"Queries over {rows:N0} rows, {database.Name}, first {PageSize}", "ms");
            var queries = Queries(store);
            foreach (var (name, query) in queries)
                for (var i = 0; i < Repeats; i++)
                    table.Add(name, await MillisecondsAsync(query));
            table.Print();

            Console.WriteLine($"\n### Plans ({database.Name}: {database.Explain.Trim()})");
            foreach (var line in await PlansAsync(store, database, queries.Select(q => q.Query))) Console.WriteLine("    " + line);
        }
        finally
        {
            database.Remove();
        }
    }

    private static (string Name, Func<Task<int>> Query)[] Queries(TaskStore store) =>
    [
        ("GetStaleTasksAsync (older than 1 h)", async () =>
            await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), First = PageSize }).CountAsync()),
        ("QueryAsync(Name=bench.task_7, FAILURE)", async () =>
            await store.QueryAsync(new TaskQuery { Name = "bench.task_7", Statuses = ["FAILURE"], First = PageSize }).CountAsync()),
    ];

    private static async Task<double> MillisecondsAsync(Func<Task<int>> query)
    {
        var clock = Stopwatch.StartNew();
        await query();
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Runs each query once more, then explains every statement it ran with the values it ran with.</summary>
    private static async Task<List<string>> PlansAsync(TaskStore store, Database database, IEnumerable<Func<Task<int>>> queries)
    {
        var statements = new List<(string Sql, object? Parameters)>();
        store.Database.StatementObserver = (sql, parameters) => statements.Add((sql, parameters));
        try
        {
            foreach (var query in queries) await query();
        }
        finally
        {
            store.Database.StatementObserver = null;
        }

        var lines = new List<string>();
        await using var connection = await OpenAsync(store);
        foreach (var (sql, parameters) in statements)
        {
            lines.Add("");
            lines.AddRange(sql.Split('\n'));
            lines.AddRange(await database.ExplainAsync(connection, sql, parameters));
        }
        return lines;
    }

    private static async Task<DbConnection> OpenAsync(TaskStore store)
    {
        var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>A database the queries run on: where it is, how its rows are generated and how a plan is read.</summary>
    private abstract class Database
    {
        public abstract string Name { get; }
        public abstract DatabaseProvider Provider { get; }
        public abstract string ConnectionString { get; }
        /// <summary>The prefix that makes a statement return its plan.</summary>
        public abstract string Explain { get; }

        public abstract Task FillAsync(DbConnection connection, int rows);
        public abstract Task<IEnumerable<string>> ExplainAsync(DbConnection connection, string sql, object? parameters);
        public virtual void Remove() { }

        /// <summary>
        /// Inserts one row for each number i that <paramref name="numbers"/> yields: 100 task names; 1 % FAILURE
        /// spread over all names, 0.1 % left STARTED and 0.1 % PENDING (the stale ones), the rest SUCCESS;
        /// updated i seconds ago, i stepped so that the rows span 30 days however few they are.
        /// </summary>
        /// <param name="secondsAgo">The database's time that many seconds (an SQL expression) before now.</param>
        protected static string InsertRows(int rows, string numbers, Func<string, string> secondsAgo)
        {
            var updated = secondsAgo($"(i * {Math.Max(1, (ThirtyDaysInSeconds + rows - 1) / rows)}) % {ThirtyDaysInSeconds}");
            return $$"""
                INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, result, date_submitted, date_done, date_updated)
                SELECT 'task-' || i, 'bench.task_' || (i % 100),
                       CASE WHEN i % 97 = 0 THEN 'FAILURE' WHEN i % 1000 = 1 THEN 'STARTED' WHEN i % 1000 = 2 THEN 'PENDING' ELSE 'SUCCESS' END,
                       '[1, "payload"]', '{}', 'null', {{updated}}, {{updated}}, {{updated}}
                FROM {{numbers}}
                """;
        }

        // Dapper takes a statement without spaces, such as ANALYZE, for a stored procedure unless told.
        protected static Task ExecuteAsync(DbConnection connection, string sql) =>
            connection.ExecuteAsync(new CommandDefinition(sql, commandTimeout: 0, commandType: CommandType.Text));
    }

    /// <summary>A database on the private PostgreSQL server, filled a million rows a statement with generate_series.</summary>
    private sealed class PostgresDatabase : Database
    {
        private const int FillChunk = 1_000_000;

        public override string Name => "PostgreSQL";
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;
        public override string ConnectionString { get; } = PostgresServer.Shared.CreateDatabase("bench_query");
        public override string Explain => "EXPLAIN (ANALYZE, BUFFERS) ";

        public override async Task FillAsync(DbConnection connection, int rows)
        {
            for (var start = 0; start < rows; start += FillChunk)
                await ExecuteAsync(connection, InsertRows(rows, $"generate_series({start}, {Math.Min(start + FillChunk, rows) - 1}) AS i",
                    seconds => $"now() - {seconds} * interval '1 second'"));
            await ExecuteAsync(connection, "VACUUM ANALYZE fulldbresult_task");
        }

        public override async Task<IEnumerable<string>> ExplainAsync(DbConnection connection, string sql, object? parameters) =>
            await connection.QueryAsync<string>(new CommandDefinition(Explain + sql, parameters));
    }

    /// <summary>An SQLite file in the temp directory, filled in one statement from a recursive CTE.</summary>
    private sealed class SqliteFile : Database
    {
        private readonly string _file = Path.Combine(Path.GetTempPath(), $"fulldbresult-bench-{Guid.NewGuid():N}.db");

        public override string Name => "SQLite";
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
        public override string ConnectionString => $"Data Source={_file}";
        public override string Explain => "EXPLAIN QUERY PLAN ";

        public override async Task FillAsync(DbConnection connection, int rows)
        {
            // A cache that holds the indexes being filled: the default 2 MB spills pages on every insert.
            await ExecuteAsync(connection, "PRAGMA cache_size = -262144");
            await ExecuteAsync(connection, InsertRows(rows,
                $"(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {rows - 1}) SELECT i FROM n)",
                // The text form Microsoft.Data.Sqlite writes for a DateTime, so that the store's parameters compare.
                seconds => $"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds}) || ' seconds')"));
            await ExecuteAsync(connection, "ANALYZE");
        }

        // Rows of (id, parent, detail); each detail is indented under its parent, as the sqlite3 shell shows them.
        public override async Task<IEnumerable<string>> ExplainAsync(DbConnection connection, string sql, object? parameters)
        {
            var depth = new Dictionary<long, int> { [0] = 0 };
            var lines = new List<string>();
            foreach (var row in await connection.QueryAsync(new CommandDefinition(Explain + sql, parameters)))
            {
                long id = row.id, parent = row.parent;
                depth[id] = depth.GetValueOrDefault(parent) + 1;
                lines.Add(new string(' ', 2 * depth[id]) + (string)row.detail);
            }
            return lines;
        }

        public override void Remove()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_file + suffix);
        }
    }
}
