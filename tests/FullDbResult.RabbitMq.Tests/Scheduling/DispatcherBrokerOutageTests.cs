using System.Collections.Concurrent;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Scheduling;

/// <summary>A dispatcher loop left running while the broker goes away and comes back, on a private broker.</summary>
public sealed class DispatcherBrokerOutageTests(ITestOutputHelper output)
{
    private const int Rows = 2000;
    private const int BatchSize = 50;

    [Fact]
    public async Task A_broker_outage_under_a_running_dispatcher_leaves_at_most_one_batch_to_retry_and_every_task_runs_once()
    {
        using var server = RabbitMqServer.StartNew();
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("outage");
        var runs = new ConcurrentDictionary<string, int>();
        await using var worker = await RunningWorker.StartAsync(store,
            w => w.Register("demo.scheduled", (TaskContext context) => runs.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1)),
            queue, server: server);
        // Rows fall due over 20 s: before, during and after the outage.
        var start = DateTime.UtcNow.AddSeconds(1);
        await store.InsertManyAsync(Enumerable.Range(0, Rows).Select(i => new TaskRecord
        {
            TaskId = $"scheduled-{i}",
            TaskName = "demo.scheduled",
            Status = TaskStates.Scheduled,
            Args = "[]",
            Kwargs = "{}",
            Eta = start.AddMilliseconds(10 * i),
            Exchange = "",
            RoutingKey = queue,
        }).ToList());
        await using var connection = Broker.Connect(server);
        await using var publisher = new RabbitMqTaskPublisher(connection, TimeSpan.FromSeconds(2));
        var log = new ListLogger();
        using var stop = new CancellationTokenSource();
        var loop = new ScheduledDispatcher(store, publisher, log)
            .CreateLoop(TimeSpan.FromMilliseconds(100), new DispatchOptions { BatchSize = BatchSize }, TimeSpan.FromSeconds(2))
            .RunAsync(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(4));
        server.RunCtl("stop_app");
        // stop_app returns once the broker is down; under load that can take seconds, so the outage is timed
        // from here, and only the rows that fell due inside it are counted.
        var outageStart = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(8));
        var outageEnd = DateTime.UtcNow;
        var dueDuringOutage = (await RowsAsync(store)).Where(r => r.Eta >= outageStart && r.Eta < outageEnd).ToList();
        // Rows that fell due during the outage are still SCHEDULED and unclaimed: nothing burnt but one batch.
        var keptThroughOutage = dueDuringOutage.Count(r => r.Status == TaskStates.Scheduled && r.ScheduledId is null);
        server.RunCtl("start_app");
        await Eventually.WaitAsync(async () => (await RowsAsync(store)).All(r => r.Status != TaskStates.Scheduled), "every scheduled row to be dispatched", TimeSpan.FromSeconds(90));
        await Eventually.WaitAsync(async () => worker.Worker.Running == 0 && (await RowsAsync(store)).Count(r => r.Status == TaskStates.Success) + (await PublishErrorsAsync(store)).Count >= Rows,
            "the delivered tasks to run", TimeSpan.FromSeconds(90));

        var failed = await PublishErrorsAsync(store);
        output.WriteLine($"{Rows} rows, batches of {BatchSize}: {dueDuringOutage.Count} fell due during the outage, {keptThroughOutage} of them kept SCHEDULED; {failed.Count} carry a publish error.");
        Assert.True(dueDuringOutage.Count >= 100, $"Only {dueDuringOutage.Count} rows fell due during the outage: the broker took too long to stop for the test to mean anything.");
        Assert.True(keptThroughOutage >= dueDuringOutage.Count - BatchSize,
            $"Of {dueDuringOutage.Count} rows due during the outage only {keptThroughOutage} were kept SCHEDULED: more than one batch was burnt.");
        Assert.InRange(failed.Count, 0, BatchSize);
        // The one place that names them: an error listing every id with the publish error.
        Assert.All(failed, row => Assert.Contains(log.Errors, e => e.Contains(row.TaskId) && e.Contains(JsonMeta.PublishError(row)!)));
        // What an operator does (Scheduling/README.md): Get-StaleTask | Invoke-TaskRetry, once the broker is back.
        var stale = new List<StaleTask>();
        await foreach (var row in store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero })) stale.Add(row);
        Assert.Equal(failed.Select(r => r.TaskId).Order(), stale.Select(r => r.TaskId).Order());
        var client = new TaskClient(store, publisher);
        foreach (var row in stale) Assert.True((await client.RetryAsync(row.TaskId)).Sent);
        await Eventually.WaitAsync(async () => (await RowsAsync(store)).Count(r => r.Status == TaskStates.Success) == Rows, "every task to succeed", TimeSpan.FromSeconds(60));
        stop.Cancel();
        await loop;

        // Each scheduled row ran exactly once, under the last id it was sent as.
        var rows = (await RowsAsync(store)).ToDictionary(r => r.TaskId);
        Assert.All(runs, run => Assert.Equal(1, run.Value));
        var ranFrom = runs.Keys.Select(id => Original(rows, id)).ToList();
        Assert.Equal(Rows, ranFrom.Distinct().Count());
        Assert.Equal(Rows, ranFrom.Count);
    }

    private static string Original(Dictionary<string, TaskRecord> rows, string taskId)
    {
        while (rows[taskId].RetriedFrom is { } from) taskId = from;
        return taskId;
    }

    private static async Task<List<TaskRecord>> RowsAsync(TaskStore store)
    {
        var rows = new List<TaskRecord>();
        await foreach (var row in store.QueryAsync(new TaskQuery { Name = "demo.scheduled" })) rows.Add(row);
        return rows;
    }

    private static async Task<List<TaskRecord>> PublishErrorsAsync(TaskStore store) =>
        (await RowsAsync(store)).Where(r => r.Status == TaskStates.Pending && JsonMeta.PublishError(r) is not null).ToList();

    private static class JsonMeta
    {
        public static string? PublishError(TaskRecord row) =>
            row.Meta is { } meta && System.Text.Json.JsonDocument.Parse(meta).RootElement.TryGetProperty(TaskClient.PublishErrorKey, out var error)
                ? error.GetString()
                : null;
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error) Errors.Enqueue(formatter(state, exception));
        }
    }
}
