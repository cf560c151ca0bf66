using System.Collections.Concurrent;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Scheduling;

/// <summary>A retry with a countdown, with scheduling on: stored SCHEDULED by the worker, sent by the dispatcher.</summary>
public sealed class CountdownRetryTests
{
    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_countdown_retry_through_the_dispatcher_keeps_its_count_and_lineage_and_stops_at_max_retries(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var seen = new ConcurrentQueue<(string TaskId, int Retries)>();
        await using var running = await RunningWorker.StartAsync(store,
            w => w.Register("demo.always_retries", object (TaskContext context) =>
            {
                seen.Enqueue((context.TaskId, context.Retries));
                throw context.Retry(TimeSpan.FromMilliseconds(300), maxRetries: 2);
            }),
            options: new TaskWorkerOptions { ScheduleDelayedTasks = true });
        await using var producer = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(producer);
        using var stop = new CancellationTokenSource();
        var dispatching = new ScheduledDispatcher(store, publisher).CreateLoop(TimeSpan.FromMilliseconds(100)).RunAsync(stop.Token);

        // A child in a workflow, as a Python producer sends it: its lineage must survive every resend.
        var first = Guid.NewGuid().ToString();
        await publisher.PublishAsync([new TaskMessage
        {
            Id = first, Name = "demo.always_retries", Args = "[]", Kwargs = "{}",
            RootId = "the-root", ParentId = "the-parent", RoutingKey = running.Queue,
        }]);

        TaskRecord? last = null;
        await Eventually.WaitAsync(async () =>
            (last = (await RowsAsync(store)).SingleOrDefault(r => r.Status == TaskStates.Failure)) is not null,
            "the retried task to end in FAILURE", TimeSpan.FromSeconds(30));
        // Long enough for a fourth run, had the count been lost again, to show.
        await Task.Delay(1500);
        stop.Cancel();
        await dispatching;

        Assert.Equal([0, 1, 2], seen.Select(s => s.Retries));
        var rows = (await RowsAsync(store)).ToDictionary(r => r.TaskId);
        Assert.Equal(3, rows.Count);
        Assert.All(rows.Values, r => Assert.Equal(("the-root", "the-parent"), (r.RootId, r.ParentId)));
        var chain = new List<TaskRecord> { rows[first] };
        while (chain[^1].RetriedAs is { } next) chain.Add(rows[next]);
        Assert.Equal(seen.Select(s => s.TaskId), chain.Select(r => r.TaskId));
        // A rescheduled row holds the count its resend carries; the last one, the count it failed at.
        Assert.Equal([1, 2, 2], chain.Select(r => r.Retries));
        Assert.Equal([TaskStates.ScheduledSent, TaskStates.ScheduledSent, TaskStates.Failure], chain.Select(r => r.Status));
        Assert.Equal([null, chain[0].TaskId, chain[1].TaskId], chain.Select(r => r.RetriedFrom));
        Assert.Equal(last!.TaskId, chain[^1].TaskId);
        Assert.Contains("MaxRetriesExceededError", last.Result);
        Assert.Contains("2 retries", last.Result);
    }

    private static async Task<List<TaskRecord>> RowsAsync(TaskStore store)
    {
        var rows = new List<TaskRecord>();
        await foreach (var row in store.QueryAsync(new TaskQuery { Name = "demo.always_retries" })) rows.Add(row);
        return rows;
    }
}
