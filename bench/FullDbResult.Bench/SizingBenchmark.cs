using System.Diagnostics;
using Dapper;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Npgsql;

namespace FullDbResult.Bench;

/// <summary>
/// The bytes a finished task costs in PostgreSQL, for docs/sizing.md: N rows shaped like a production day
/// (UUID ids, 20 task names, small JSON args and results, a worker name and root id; 1 in 100 a FAILURE with an
/// 800-byte traceback) written through the store's own batch insert, then the table, its TOAST and each index
/// measured with pg_relation_size after VACUUM ANALYZE. Prints the insert rate too.
/// </summary>
public static class SizingBenchmark
{
    private const int Chunk = 10_000;
    private static readonly string Traceback = "Traceback (most recent call last):\n" + string.Concat(Enumerable.Repeat("  File \"/srv/app/tasks.py\", line 42, in send\n    raise SMTPError(code)\n", 10)) + "SMTPError: 451";

    public static async Task RunAsync(int rows)
    {
        var connectionString = PostgresServer.Shared.CreateDatabase("bench_sizing");
        var store = new TaskStore(new StoreConnection(connectionString, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var start = DateTime.UtcNow.AddDays(-30);
        var clock = Stopwatch.StartNew();
        for (var first = 0; first < rows; first += Chunk)
            await store.InsertManyAsync(Enumerable.Range(first, Math.Min(Chunk, rows - first)).Select(i => Row(i, start.AddMilliseconds(i * 2.5))).ToList());
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"inserted {rows:N0} rows through TaskStore.InsertManyAsync ({Chunk:N0} a batch) in {seconds:F1} s: {rows / seconds:N0} rows/s, one connection");

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE fulldbresult_task", commandTimeout: 0));
        var parts = await connection.QueryAsync(new CommandDefinition("""
            SELECT 'heap' AS name, pg_relation_size('fulldbresult_task') AS bytes
            UNION ALL SELECT 'toast', COALESCE(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0) FROM pg_class WHERE relname = 'fulldbresult_task'
            UNION ALL (SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index WHERE indrelid = 'fulldbresult_task'::regclass ORDER BY 1)
            UNION ALL SELECT 'total (pg_total_relation_size)', pg_total_relation_size('fulldbresult_task')
            """));
        Console.WriteLine($"\n| relation | bytes at {rows:N0} rows | bytes a row |\n|---|---:|---:|");
        foreach (var part in parts)
        {
            string name = part.name;
            long bytes = part.bytes;
            Console.WriteLine($"| {name} | {bytes:N0} | {(double)bytes / rows:F1} |");
        }
    }

    private static TaskRecord Row(int i, DateTime submitted)
    {
        var id = Guid.NewGuid().ToString();
        var failed = i % 100 == 0;
        return new TaskRecord
        {
            TaskId = id,
            TaskName = $"app.tasks.notify_{i % 20}",
            Status = failed ? TaskStates.Failure : TaskStates.Success,
            Args = $"[{i}, \"user{i % 5000}@example.com\"]",
            Kwargs = "{\"template\": \"welcome\", \"lang\": \"en\"}",
            Result = failed
                ? "{\"exc_type\": \"SMTPError\", \"exc_message\": [\"451\"], \"exc_module\": \"smtplib\"}"
                : "{\"sent\": true, \"message_id\": \"" + Guid.NewGuid().ToString("N") + "\"}",
            Traceback = failed ? Traceback : null,
            Exchange = "",
            RoutingKey = "celery",
            Queue = "celery",
            DateSubmitted = submitted,
            DateStarted = submitted.AddMilliseconds(40),
            DateDone = submitted.AddMilliseconds(90),
            DateUpdated = submitted.AddMilliseconds(90),
            Worker = $"celery@worker-{i % 8:00}",
            RootId = id,
        };
    }
}
