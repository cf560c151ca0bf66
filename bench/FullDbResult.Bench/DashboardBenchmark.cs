using System.Data;
using System.Diagnostics;
using Dapper;
using FullDbResult.Dashboard;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FullDbResult.Bench;

/// <summary>
/// Each dashboard page's time over a big PostgreSQL store, requested over loopback HTTP from the dashboard on
/// Kestrel (so render and transfer are in it), beside Get-TaskResult's query (QueryAsync, name and FAILURE,
/// first 100) on the same data. Rows are generated in SQL: 100 names, 10 queues, 20 workers, a group per 50 rows
/// and a root per 5, 1 % FAILURE, 0.1 % STARTED and PENDING, over 30 days.
/// </summary>
public static class DashboardBenchmark
{
    private const int Repeats = 11;
    private const int FillChunk = 1_000_000;
    private const int ThirtyDaysInSeconds = 30 * 24 * 3600;
    public const string GetTaskResult = "Get-TaskResult -Name bench.task_7 -Status FAILURE -First 100 (QueryAsync)";

    public static async Task RunAsync(BenchSizes sizes)
    {
        var rows = sizes.PostgresQueryRows;
        var store = new TaskStore(new StoreConnection(PostgresServer.Shared.CreateDatabase("bench_dashboard"), DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var filled = Stopwatch.StartNew();
        await FillAsync(store, rows);
        Console.WriteLine($"\nfilled {rows:N0} rows in PostgreSQL (with the dashboard's indexes) in {filled.Elapsed.TotalSeconds:F0} s");

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddFullDbResultDashboard();
        await using var app = builder.Build();
        app.MapFullDbResultDashboard("/");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        var secondPage = await NextLinkAsync(client, "tasks");
        var pages = new (string Name, string Path)[]
        {
            ("Overview", "/"),
            ("Tasks, no filter, first page", "/tasks"),
            ("Tasks, no filter, second page (keyset)", secondPage),
            ("Tasks, oldest first", "/tasks?order=oldest"),
            ("Tasks, state FAILURE", "/tasks?state=FAILURE"),
            ("Tasks, name bench.task_7 + FAILURE", "/tasks?name=bench.task_7&state=FAILURE"),
            ("Tasks, name pattern bench.task_1*", "/tasks?name=bench.task_1*"),
            ("Tasks, queue q3", "/tasks?queue=q3"),
            ("Tasks, worker worker-5@bench + STARTED", "/tasks?worker=worker-5%40bench&state=STARTED"),
            ("Tasks, group group-7", "/tasks?group=group-7"),
            ("Tasks, root task-500", "/tasks?root=task-500"),
            ("Tasks, last 24 h", $"/tasks?since={DateTime.UtcNow.AddDays(-1):yyyy-MM-ddTHH:mm}"),
            ("Task task-500 (fields, children)", "/tasks/task-500"),
            ("Scheduled", "/scheduled"),
            ("Periodic", "/periodic"),
            ("Workers (20, running counts)", "/workers"),
        };
        var table = new ResultTable($"Dashboard pages over {rows:N0} rows, PostgreSQL, first page of {new DashboardOptions().PageSize}", "ms");
        foreach (var (name, path) in pages)
        {
            (await client.GetAsync(path)).EnsureSuccessStatusCode();
            for (var i = 0; i < Repeats; i++)
            {
                var clock = Stopwatch.StartNew();
                (await client.GetAsync(path)).EnsureSuccessStatusCode();
                table.Add(name, clock.Elapsed.TotalMilliseconds);
            }
        }
        for (var i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await foreach (var _ in store.QueryAsync(new TaskQuery { Name = "bench.task_7", Statuses = ["FAILURE"], First = 100 })) { }
            table.Add(GetTaskResult, clock.Elapsed.TotalMilliseconds);
        }
        table.Print(("Tasks, name bench.task_7 + FAILURE", GetTaskResult), ("Tasks, state FAILURE", GetTaskResult), ("Tasks, queue q3", GetTaskResult));
        await app.StopAsync();
    }

    private static async Task<string> NextLinkAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        var at = html.IndexOf("id=\"next\" href=\"", StringComparison.Ordinal);
        if (at < 0) return "/tasks";
        var start = at + "id=\"next\" href=\"".Length;
        return System.Net.WebUtility.HtmlDecode(html[start..html.IndexOf('"', start)]);
    }

    private static async Task FillAsync(TaskStore store, int rows)
    {
        await using var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
        await connection.OpenAsync();
        var step = Math.Max(1, (ThirtyDaysInSeconds + rows - 1) / rows);
        for (var start = 0; start < rows; start += FillChunk)
            await connection.ExecuteAsync(new CommandDefinition($$"""
                INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, result, queue, routing_key, worker,
                                               group_id, root_id, parent_id, date_submitted, date_done, date_updated)
                SELECT 'task-' || i, 'bench.task_' || (i % 100),
                       CASE WHEN i % 97 = 0 THEN 'FAILURE' WHEN i % 1000 = 1 THEN 'STARTED' WHEN i % 1000 = 2 THEN 'PENDING' ELSE 'SUCCESS' END,
                       '[1, "payload"]', '{}', 'null', 'q' || (i % 10), 'q' || (i % 10), 'worker-' || (i % 20) || '@bench',
                       'group-' || (i / 50), 'task-' || (i - i % 5), CASE WHEN i % 5 = 0 THEN NULL ELSE 'task-' || (i - i % 5) END,
                       u, u, u
                FROM generate_series({{start}}, {{Math.Min(start + FillChunk, rows) - 1}}) AS i,
                     LATERAL (SELECT now() - ((i * {{step}}) % {{ThirtyDaysInSeconds}}) * interval '1 second' AS u) t
                """, commandTimeout: 0));
        await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE fulldbresult_task", commandTimeout: 0, commandType: CommandType.Text));
        for (var w = 0; w < 20; w++)
            await new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat
            { WorkerName = $"worker-{w}@bench", Hostname = "bench", Pid = w, Queues = "q0", StartedAt = DateTime.UtcNow, LastHeartbeat = DateTime.UtcNow });
    }
}
