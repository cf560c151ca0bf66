using System.Diagnostics;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace FullDbResult.Bench;

/// <summary>
/// Worker end to end (message in, trivial handler, result row, ack) at the same concurrency on both sides: our
/// TaskWorker, with STARTED tracked (our default) and without (Celery's default), vs a Celery 5.2 prefork
/// worker storing results through SQLAlchemy on the same PostgreSQL, and one with no result backend. Prefetch
/// is each side's default. The queue is filled first, so the rate is the worker's alone.
/// </summary>
public static class WorkerBenchmark
{
    public const string Ours = "FullDbResult TaskWorker, STARTED + outcome (default)";
    public const string OursStartedFirst = "FullDbResult TaskWorker, STARTED awaited first (StartedBeforeRun, default before issue 18)";
    public const string OursOutcomeOnly = "FullDbResult TaskWorker, outcome only (TrackStarted off)";
    public const string CeleryDatabase = "Celery 5.2 prefork, db+postgresql backend";
    public const string CeleryNoBackend = "Celery 5.2 prefork, no result backend";

    /// <summary>One table per concurrency in <see cref="BenchSizes.WorkerConcurrency"/>.</summary>
    public static async Task<IReadOnlyList<ResultTable>> RunAsync(BenchSizes sizes)
    {
        var tables = new List<ResultTable>();
        foreach (var concurrency in sizes.WorkerConcurrency)
        {
            var table = new ResultTable($"Worker end to end, {sizes.WorkerTasks:N0} trivial tasks pre-filled, concurrency {concurrency}", "tasks/s");
            for (var run = 0; run < sizes.Runs; run++)
            {
                table.Add(Ours, await OursAsync(sizes.WorkerTasks, run, concurrency, trackStarted: true));
                table.Add(OursStartedFirst, await OursAsync(sizes.WorkerTasks, run, concurrency, trackStarted: true, startedFirst: true));
                table.Add(OursOutcomeOnly, await OursAsync(sizes.WorkerTasks, run, concurrency, trackStarted: false));
                table.Add(CeleryDatabase, await CeleryAsync(sizes.WorkerTasks, run, concurrency, withBackend: true));
                table.Add(CeleryNoBackend, await CeleryAsync(sizes.WorkerTasks, run, concurrency, withBackend: false));
            }
            tables.Add(table);
        }
        return tables;
    }

    private static async Task<double> OursAsync(int count, int run, int concurrency, bool trackStarted, bool startedFirst = false)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench_worker");
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var queue = $"bench-worker-ours-{(trackStarted ? "started" : "outcome")}{(startedFirst ? "-first" : "")}-c{concurrency}-{run}";
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await FillAsync(connection, queue, count);

        await using (var worker = new TaskWorker(connection, store, new TaskWorkerOptions { Queues = [queue], Concurrency = concurrency, TrackStarted = trackStarted, StartedBeforeRun = startedFirst }))
        {
            worker.Register("bench.noop", static () => (object?)null);
            await worker.StartAsync();
            await WaitForRowsAsync(database, "SELECT count(*) FROM fulldbresult_task WHERE status = 'SUCCESS'", count);
        }
        var rate = await RateFromDateDoneAsync(database, "fulldbresult_task", count);
        await DeleteQueueAsync(queue);
        return rate;
    }

    private static async Task<double> CeleryAsync(int count, int run, int concurrency, bool withBackend)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench_celery");
        var queue = $"bench-worker-celery-{(withBackend ? "db" : "none")}-c{concurrency}-{run}";
        await using (var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString()))
            await FillAsync(connection, queue, count);

        var postgres = new NpgsqlConnectionStringBuilder(database);
        var environment = new Dictionary<string, string?>
        {
            ["CELERY_BROKER_URL"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["BENCH_RESULT_BACKEND"] = withBackend ? $"db+postgresql://{postgres.Username}@{postgres.Host}:{postgres.Port}/{postgres.Database}" : null,
        };
        var clock = new Stopwatch();
        using (CeleryPython.StartWorker(Path.Combine(AppContext.BaseDirectory, "python"), "bench_tasks", [queue], ["-P", "prefork", "-c", concurrency.ToString()], environment))
        {
            // Timed from "ready": the worker may take a few messages before the line is seen, which flatters Celery.
            clock.Restart();
            if (withBackend)
                await WaitForRowsAsync(database, "SELECT count(*) FROM celery_taskmeta WHERE status = 'SUCCESS'", count);
            else
                await WaitForEmptyQueueAsync(queue);
        }
        var rate = withBackend ? await RateFromDateDoneAsync(database, "celery_taskmeta", count) : count / clock.Elapsed.TotalSeconds;
        await DeleteQueueAsync(queue);
        return rate;
    }

    internal static async Task FillAsync(RabbitMqConnection connection, string queue, int count)
    {
        await using var publisher = new RabbitMqTaskPublisher(connection);
        for (var sent = 0; sent < count; sent += 1000)
            await publisher.PublishAsync(Enumerable.Range(sent, Math.Min(1000, count - sent))
                .Select(_ => new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "bench.noop", RoutingKey = queue }).ToList());
    }

    // From the first result stored to the last: leaves out each worker's start-up, the same way for both.
    private static async Task<double> RateFromDateDoneAsync(string database, string table, int count)
    {
        var seconds = await ScalarAsync(database, $"SELECT EXTRACT(EPOCH FROM max(date_done) - min(date_done))::float8 FROM {table}");
        return (count - 1) / Convert.ToDouble(seconds);
    }

    internal static async Task WaitForRowsAsync(string database, string countSql, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (await CountOrZeroAsync(database, countSql) < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"Fewer than {count} results after 10 minutes: {countSql}");
            await Task.Delay(20);
        }
    }

    // Celery's backend creates its table on the first result.
    private static async Task<long> CountOrZeroAsync(string database, string sql)
    {
        try { return Convert.ToInt64(await ScalarAsync(database, sql)); }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable) { return 0; }
    }

    private static async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    // Celery acknowledges on receipt, so no message ready means at most its prefetch (4) still runs.
    internal static async Task WaitForEmptyQueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while ((await channel.QueueDeclarePassiveAsync(queue)).MessageCount > 0) await Task.Delay(10);
    }

    private static async Task DeleteQueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(queue);
        await channel.QueueDeleteAsync(queue + ".dead_letter");
    }
}
