using System.Diagnostics;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Npgsql;

namespace FullDbResult.Bench;

/// <summary>
/// The operator's two queries over a big store: stale tasks (Get-StaleTask) and the first page of
/// Get-TaskResult -Name x -Status FAILURE. Rows are generated in SQL; each query's median latency is printed,
/// then its plan as PostgreSQL ran it (auto_explain), to show index seeks rather than scans.
/// </summary>
public static class QueryBenchmark
{
    private const int Repeats = 21;
    private const int PageSize = 100;
    private const int FillChunk = 1_000_000;

    public static async Task RunAsync(BenchSizes sizes)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench_query");
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var filled = Stopwatch.StartNew();
        for (var start = 0; start < sizes.PostgresQueryRows; start += FillChunk)
            await ExecuteAsync(database, FillSql(start, Math.Min(start + FillChunk, sizes.PostgresQueryRows)));
        await ExecuteAsync(database, "VACUUM ANALYZE fulldbresult_task");
        Console.WriteLine($"\nfilled {sizes.PostgresQueryRows:N0} rows in {filled.Elapsed.TotalSeconds:F0} s");

        var table = new ResultTable($"Queries over {sizes.PostgresQueryRows:N0} rows, PostgreSQL, first {PageSize}", "ms");
        var queries = Queries(store);
        foreach (var (name, query) in queries)
            for (var i = 0; i < Repeats; i++)
                table.Add(name, await MillisecondsAsync(query));
        table.Print();

        foreach (var line in await PlansAsync(database, queries.Select(q => q.Query))) Console.WriteLine(line);
    }

    private static (string Name, Func<Task<int>> Query)[] Queries(TaskStore store) =>
    [
        ("GetStaleTasksAsync (older than 1 h)", async () =>
            await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), First = PageSize }).CountAsync()),
        ("QueryAsync(Name=bench.task_7, FAILURE)", async () =>
            await store.QueryAsync(new TaskQuery { Name = "bench.task_7", Statuses = ["FAILURE"], First = PageSize }).CountAsync()),
    ];

    // 100 task names; 1 % FAILURE spread over all names, 0.1 % left STARTED and 0.1 % PENDING (the stale ones), the rest SUCCESS;
    // updated over the last 30 days.
    private static string FillSql(int from, int to) => $$"""
        INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, result, date_submitted, date_done, date_updated)
        SELECT 'task-' || i, 'bench.task_' || (i % 100),
               CASE WHEN i % 97 = 0 THEN 'FAILURE' WHEN i % 1000 = 1 THEN 'STARTED' WHEN i % 1000 = 2 THEN 'PENDING' ELSE 'SUCCESS' END,
               '[1, "payload"]', '{}', 'null', now() - (i % 2592000) * interval '1 second', now() - (i % 2592000) * interval '1 second',
               now() - (i % 2592000) * interval '1 second'
        FROM generate_series({{from}}, {{to - 1}}) AS i
        """;

    private static async Task<double> MillisecondsAsync(Func<Task<int>> query)
    {
        var clock = Stopwatch.StartNew();
        await query();
        return clock.Elapsed.TotalMilliseconds;
    }

    // auto_explain logs each statement's plan with actual rows to the server log; the connection pool is
    // cleared so new sessions load it, and the log is read from where it ended before.
    private static async Task<IEnumerable<string>> PlansAsync(string database, IEnumerable<Func<Task<int>>> queries)
    {
        var name = new NpgsqlConnectionStringBuilder(database).Database;
        var dataDirectory = (string)(await ScalarAsync(database, "SHOW data_directory"))!;
        var log = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "server.log");
        var offset = new FileInfo(log).Length;
        await ExecuteAsync(database, $"""
            ALTER DATABASE "{name}" SET session_preload_libraries = 'auto_explain';
            ALTER DATABASE "{name}" SET auto_explain.log_min_duration = 0;
            ALTER DATABASE "{name}" SET auto_explain.log_analyze = on;
            """);
        NpgsqlConnection.ClearAllPools();
        foreach (var query in queries) await query();
        await ExecuteAsync(database, $"ALTER DATABASE \"{name}\" RESET ALL");
        NpgsqlConnection.ClearAllPools();

        await using var reader = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        reader.Seek(offset, SeekOrigin.Begin);
        var text = await new StreamReader(reader).ReadToEndAsync();
        return text.Split('\n').Where(l => !l.Contains("ALTER DATABASE") && !l.Contains("RESET ALL"))
            .Prepend("\n### Plans (auto_explain, analyze)").Select(l => "    " + l);
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
