using System.Diagnostics;
using System.Text.Json;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Testing;
using RabbitMQ.Client;

namespace FullDbResult.Bench;

/// <summary>
/// The Celery event monitor against what it must keep up with: the task events (received, started, succeeded)
/// a Celery 5.2 prefork worker started with -E publishes while it runs trivial tasks as fast as it can, and the
/// rate at which <see cref="CeleryEventMonitor"/> stores exactly those messages into PostgreSQL from a
/// pre-filled queue. The target is at least three such workers.
/// </summary>
public static class EventsBenchmark
{
    public const string CeleryProduces = "Celery 5.2 prefork -c 1 with -E, task events published";
    public const string MonitorStores = "CeleryEventMonitor, the same events stored (PostgreSQL)";

    /// <summary>Events per task a worker publishes when the producer sends no task-sent: received, started, succeeded.</summary>
    private const int EventsPerTask = 3;

    public static async Task<ResultTable> RunAsync(BenchSizes sizes)
    {
        var tasks = sizes.WorkerTasks * 5;
        var table = new ResultTable($"Celery task events, {tasks:N0} trivial tasks ({tasks * EventsPerTask:N0} events)", "events/s");
        for (var run = 0; run < sizes.Runs; run++)
        {
            var (rate, messages) = await CeleryAsync(tasks, run);
            table.Add(CeleryProduces, rate);
            table.Add(MonitorStores, await MonitorAsync(messages, tasks * EventsPerTask, run));
        }
        return table;
    }

    /// <summary>The worker's rate, from the first event's timestamp to the last one's, and the messages as published.</summary>
    private static async Task<(double Rate, List<byte[]> Messages)> CeleryAsync(int tasks, int run)
    {
        var queue = $"bench-events-tasks-{run}";
        var capture = $"bench-events-capture-{run}";
        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        await channel.ExchangeDeclareAsync("celeryev", ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync(capture, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(capture, "celeryev", "task.#");
        await using (var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString()))
            await WorkerBenchmark.FillAsync(connection, queue, tasks);

        var messages = new List<byte[]>();
        var timestamps = new List<double>();
        var environment = new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = RabbitMqServer.Shared.AmqpUri.ToString() };
        using (CeleryPython.StartWorker(Path.Combine(AppContext.BaseDirectory, "python"), "bench_tasks", [queue], ["-P", "prefork", "-c", "1", "-E"], environment))
        {
            var deadline = Stopwatch.StartNew();
            while (timestamps.Count < tasks * EventsPerTask)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{timestamps.Count} of {tasks * EventsPerTask} events after 10 minutes.");
                var message = await channel.BasicGetAsync(capture, autoAck: true);
                if (message is null)
                {
                    await Task.Delay(10);
                    continue;
                }
                var body = message.Body.ToArray();
                messages.Add(body);
                using var document = JsonDocument.Parse(body);
                var events = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
                timestamps.AddRange(events.Select(e => e.GetProperty("timestamp").GetDouble()));
            }
        }
        await channel.QueueDeleteAsync(capture);
        await channel.QueueDeleteAsync(queue);
        return ((timestamps.Count - 1) / (timestamps.Max() - timestamps.Min()), messages);
    }

    /// <summary>The monitor's rate on the captured messages waiting in its queue: from its start to the last event stored.</summary>
    private static async Task<double> MonitorAsync(List<byte[]> messages, int events, int run)
    {
        var queue = $"bench-events-monitor-{run}";
        var store = new TaskStore(new StoreConnection(PostgresServer.Shared.CreateDatabase("bench_events"), DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        await using (var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync())
        await using (var channel = await broker.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            var properties = new BasicProperties { ContentType = "application/json", ContentEncoding = "utf-8" };
            foreach (var body in messages) await channel.BasicPublishAsync("", queue, mandatory: false, properties, body);
        }

        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        var clock = Stopwatch.StartNew();
        await using (var monitor = new CeleryEventMonitor(connection, store, new CeleryEventMonitorOptions { Queue = queue }))
        {
            await monitor.StartAsync();
            while (monitor.TaskEvents < events)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{monitor.TaskEvents} of {events} events stored after 10 minutes.");
                await Task.Delay(5);
            }
            clock.Stop();
        }
        await using (var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync())
        await using (var channel = await broker.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(queue);
            await channel.QueueDeleteAsync(queue + ".dead_letter");
        }
        return events / clock.Elapsed.TotalSeconds;
    }
}
