using System.Diagnostics;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Hangfire;
using Hangfire.PostgreSql;

namespace FullDbResult.Bench;

/// <summary>
/// Hangfire 1.8 on the same PostgreSQL: BackgroundJob.Enqueue's rate beside our tracked send, and delayed
/// jobs due now moved from Scheduled to Enqueued by its scheduler beside our dispatcher publishing due
/// SCHEDULED rows to RabbitMQ with confirms.
/// </summary>
public static class HangfireBenchmark
{
    public const string HangfireEnqueue = "Hangfire BackgroundJob.Enqueue";
    public const string HangfireDelayed = "Hangfire delayed jobs, Scheduled -> Enqueued";
    public const string OurSend = "FullDbResult SendAsync (row + confirm per task)";
    public const string OurSendMany = "FullDbResult SendManyAsync, 1000 a batch";
    public const string OurDispatch = "FullDbResult dispatcher, due SCHEDULED -> RabbitMQ";
    private const string Queue = "bench-delayed";

    public static async Task<ResultTable> RunAsync(BenchSizes sizes)
    {
        var table = new ResultTable($"Delayed work and enqueue vs Hangfire 1.8 + Hangfire.PostgreSql, {sizes.HangfireJobs:N0} jobs", "jobs/s");
        var hangfireDatabase = PostgresServer.Shared.CreateDatabase("bench_hangfire");
        GlobalConfiguration.Configuration.UsePostgreSqlStorage(c => c.UseNpgsqlConnection(hangfireDatabase));
        BackgroundJob.Enqueue(() => Noop(0)); // installs Hangfire's schema and warms its path, as the first send does ours
        var database = PostgresServer.Shared.CreateDatabase("bench_delayed");
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var client = new TaskClient(store, publisher);
        await client.SendAsync("bench.noop", sendOptions: new SendOptions { Queue = Queue }); // declares the queue

        for (var run = 0; run < sizes.Runs; run++)
        {
            table.Add(HangfireEnqueue, Rate(sizes.HangfireJobs, () =>
            {
                for (var i = 0; i < sizes.HangfireJobs; i++) BackgroundJob.Enqueue(() => Noop(i));
            }));
            // Ours start from an empty queue each: RabbitMQ confirms slower once a queue holds tens of thousands.
            await PurgeAsync();
            table.Add(OurSend, await RateAsync(sizes.HangfireJobs, async () =>
            {
                for (var i = 0; i < sizes.HangfireJobs; i++) await client.SendAsync("bench.noop", $"[{i}]", sendOptions: new SendOptions { Queue = Queue });
            }));
            var batch = Enumerable.Range(0, 1000).Select(i => new TaskSend("bench.noop", $"[{i}]", Options: new SendOptions { Queue = Queue })).ToList();
            await PurgeAsync();
            table.Add(OurSendMany, await RateAsync(sizes.BatchedSends, async () =>
            {
                for (var sent = 0; sent < sizes.BatchedSends; sent += batch.Count) await client.SendManyAsync(batch);
            }));
            table.Add(HangfireDelayed, await HangfireDelayedRateAsync(sizes.HangfireJobs));
            await PurgeAsync();
            table.Add(OurDispatch, await DispatchRateAsync(store, publisher, sizes.BatchedSends, run));
        }
        await PurgeAsync();
        return table;
    }

    public static void Noop(int i) { }

    private static async Task<double> HangfireDelayedRateAsync(int count)
    {
        var dueNow = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++) BackgroundJob.Schedule(() => Noop(i), dueNow);
        var monitoring = JobStorage.Current.GetMonitoringApi();
        var clock = Stopwatch.StartNew();
        // Its workers listen on a queue nothing is sent to: only the scheduler's move to Enqueued is timed.
        using (new BackgroundJobServer(new BackgroundJobServerOptions { Queues = ["bench_idle"], WorkerCount = 1, SchedulePollingInterval = TimeSpan.FromMilliseconds(100) }))
            while (monitoring.ScheduledCount() > 0) await Task.Delay(20);
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> DispatchRateAsync(TaskStore store, ITaskPublisher publisher, int count, int run)
    {
        var due = DateTime.UtcNow.AddMinutes(-1);
        for (var start = 0; start < count; start += 10_000)
            await store.InsertManyAsync(Enumerable.Range(start, Math.Min(10_000, count - start)).Select(i => new TaskRecord
            {
                TaskId = $"scheduled-{run}-{i}",
                TaskName = "bench.noop",
                Status = TaskStates.Scheduled,
                Args = $"[{i}]",
                Kwargs = "{}",
                Eta = due,
                Exchange = "",
                RoutingKey = Queue,
            }).ToList());
        var clock = Stopwatch.StartNew();
        var summary = await new ScheduledDispatcher(store, publisher).RunOnceAsync(new DispatchOptions { BatchSize = 500 });
        return summary.Sent / clock.Elapsed.TotalSeconds;
    }

    private static double Rate(int count, Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> RateAsync(int count, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task PurgeAsync()
    {
        await using var connection = await new RabbitMQ.Client.ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(Queue);
    }
}
