using System.Diagnostics;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Npgsql;

namespace FullDbResult.Bench;

/// <summary>
/// Worker memory with delayed work waiting: our worker's resident set with no SCHEDULED rows and with N of
/// them in the store (they wait in the database, not in the worker), vs a Celery 5.2 worker holding N
/// countdown tasks in its own memory (as Celery does until their ETA).
/// </summary>
public static class MemoryBenchmark
{
    // Enough tasks that the JIT's tiering and the thread pool have settled before the first reading.
    private const int TasksPerPhase = 1_000;

    public static async Task RunAsync(BenchSizes sizes)
    {
        var table = new ResultTable("Worker memory with delayed work waiting", "MB / KB");
        var (warm, idle, loaded) = await OursAsync(sizes.ScheduledRows);
        foreach (var (what, pick) in new (string, Func<Memory, long>)[] { ("RSS", m => m.Resident), ("managed heap", m => m.Managed) })
        {
            table.Add($"FullDbResult worker {what} MB, warmed up ({TasksPerPhase:N0} tasks)", pick(warm) / 1048576.0);
            table.Add($"FullDbResult worker {what} MB, {TasksPerPhase:N0} more tasks, 0 SCHEDULED rows", pick(idle) / 1048576.0);
            table.Add($"FullDbResult worker {what} MB, {TasksPerPhase:N0} more, {sizes.ScheduledRows:N0} SCHEDULED", pick(loaded) / 1048576.0);
            table.Add($"FullDbResult {what} drift MB, no rows added (control)", (pick(idle) - pick(warm)) / 1048576.0);
            table.Add($"FullDbResult {what} growth MB at {sizes.ScheduledRows:N0} rows", (pick(loaded) - pick(idle)) / 1048576.0);
        }
        var (celeryIdle, celeryHolding) = await CeleryAsync(sizes.CeleryCountdownTasks);
        table.Add("Celery 5.2 worker RSS MB, idle", celeryIdle / 1048576.0);
        table.Add($"Celery 5.2 worker RSS MB, holding {sizes.CeleryCountdownTasks:N0} countdown tasks", celeryHolding / 1048576.0);
        table.Add("Celery 5.2 growth KB per countdown task", (celeryHolding - celeryIdle) / 1024.0 / sizes.CeleryCountdownTasks);
        table.Print();
    }

    // In this process: the worker warms up, runs the same number of tasks with an empty store (the control
    // for drift), then again once N SCHEDULED rows exist.
    private static async Task<(Memory Warm, Memory Idle, Memory Loaded)> OursAsync(int scheduledRows)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench_memory");
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        const string queue = "bench-memory-ours";
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var worker = new TaskWorker(connection, store, new TaskWorkerOptions { Queues = [queue], Concurrency = 1 });
        worker.Register("bench.noop", static () => (object?)null);
        await worker.StartAsync();

        await RunTasksAsync(connection, database, queue, TasksPerPhase);
        var warm = SettledMemory();
        await RunTasksAsync(connection, database, queue, TasksPerPhase * 2);
        var idle = SettledMemory();
        // Another process writes the rows, so that nothing of the writing is counted in this one.
        var target = new NpgsqlConnectionStringBuilder(database);
        var psql = Process.Start(new ProcessStartInfo("psql",
            ["-h", target.Host!, "-p", target.Port.ToString(), "-U", target.Username!, "-d", target.Database!, "-v", "ON_ERROR_STOP=1", "-q", "-c",
             $"""
             INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, routing_key, eta, date_submitted, date_updated)
             SELECT 'scheduled-' || i, 'bench.noop', 'SCHEDULED', '[1, "payload"]', '{"{}"}', '{queue}', now() + interval '1 day', now(), now()
             FROM generate_series(1, {scheduledRows}) AS i
             """])
        { Environment = { ["PGPASSWORD"] = target.Password } })!;
        await psql.WaitForExitAsync();
        if (psql.ExitCode != 0) throw new InvalidOperationException($"psql could not write the SCHEDULED rows (exit code {psql.ExitCode}).");
        await RunTasksAsync(connection, database, queue, TasksPerPhase * 3);
        return (warm, idle, SettledMemory());
    }

    private static async Task RunTasksAsync(RabbitMqConnection connection, string database, string queue, int totalDone)
    {
        await WorkerBenchmark.FillAsync(connection, queue, TasksPerPhase);
        await WorkerBenchmark.WaitForRowsAsync(database, "SELECT count(*) FROM fulldbresult_task WHERE status = 'SUCCESS'", totalDone);
    }

    private sealed record Memory(long Resident, long Managed);

    private static Memory SettledMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return new Memory(ResidentBytes(Environment.ProcessId), GC.GetTotalMemory(forceFullCollection: true));
    }

    private static async Task<(long Idle, long Holding)> CeleryAsync(int countdownTasks)
    {
        const string queue = "bench-memory-celery";
        var environment = new Dictionary<string, string?>
        {
            ["CELERY_BROKER_URL"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["BENCH_PREFETCH_MULTIPLIER"] = "0",
        };
        using var worker = CeleryPython.StartWorker(Path.Combine(AppContext.BaseDirectory, "python"), "bench_tasks", [queue], ["-P", "prefork", "-c", "1"], environment);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = ResidentBytes(worker.ProcessId);

        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var eta = DateTimeOffset.UtcNow.AddHours(1);
        for (var sent = 0; sent < countdownTasks; sent += 1000)
            await publisher.PublishAsync(Enumerable.Range(sent, Math.Min(1000, countdownTasks - sent))
                .Select(_ => new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "bench.noop", Eta = eta, RoutingKey = queue }).ToList());
        await WorkerBenchmark.WaitForEmptyQueueAsync(queue);
        // Delivered is not yet parsed and scheduled: give the worker time to take in the last ones.
        await Task.Delay(TimeSpan.FromSeconds(3));
        return (idle, ResidentBytes(worker.ProcessId));
    }

    // The ETA tasks live in Celery's main process; the pool process is not counted on either side.
    private static long ResidentBytes(int processId) =>
        long.Parse(File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:"))["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
}
