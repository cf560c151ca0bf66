using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Storage;
using Xunit;

using TestTasks = FullDbResult.Tests.Storage.Tasks;

namespace FullDbResult.Tests.Scheduling;

public class ScheduledDispatcherTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    private static (TaskStore Store, ManualClock Clock, RecordingPublisher Broker, ScheduledDispatcher Dispatcher) Setup(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        var broker = new RecordingPublisher(clock);
        return (store, clock, broker, new ScheduledDispatcher(store, broker));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_scheduled_task_is_never_sent_before_its_eta(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        var eta = clock.UtcNow.AddMinutes(10);
        await store.InsertAsync(TestTasks.Scheduled(eta, "later"));

        Assert.Equal(0, (await dispatcher.RunOnceAsync()).Sent);
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, (await dispatcher.RunOnceAsync()).Sent);
        Assert.Empty(broker.Sent);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await dispatcher.RunOnceAsync()).Sent);
        var (message, at) = Assert.Single(broker.Sent);
        Assert.True(at.UtcDateTime >= eta);
        Assert.Equal((await store.GetAsync("later"))!.RetriedAs, message.Id);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_dispatched_task_is_sent_under_a_new_id_recorded_on_both_rows_with_its_name_arguments_and_routing(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        var scheduled = TestTasks.Scheduled(clock.UtcNow, "s1", name: "report.build");
        (scheduled.Args, scheduled.Kwargs, scheduled.Exchange, scheduled.RoutingKey) = ("[7, \"x\"]", "{\"full\": true}", "reports", "reports.daily");
        await store.InsertAsync(scheduled);

        var summary = await dispatcher.RunOnceAsync();

        Assert.Equal((1, 1, 0, 0), (summary.Claimed, summary.Sent, summary.Failed, summary.Skipped));
        var old = await store.GetAsync("s1");
        Assert.Equal(TaskStates.ScheduledSent, old!.Status);
        var sent = await store.GetAsync(old.RetriedAs!);
        Assert.Equal((TaskStates.Pending, "s1", "report.build", "[7, \"x\"]", "{\"full\": true}"), (sent!.Status, sent.RetriedFrom, sent.TaskName, sent.Args, sent.Kwargs));
        var message = Assert.Single(broker.Sent).Message;
        Assert.Equal((sent.TaskId, "report.build", "reports", "reports.daily", "[7, \"x\"]"), (message.Id, message.Name, message.Exchange, message.RoutingKey, message.Args));
        Assert.Null(message.Eta);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_pass_sends_every_due_row_in_batches_of_the_batch_size_and_reports_each_batch(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertManyAsync(Enumerable.Range(0, 25).Select(i => TestTasks.Scheduled(clock.UtcNow.AddSeconds(-i))).ToList());
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddDays(1), "tomorrow"));
        var reports = new List<DispatchSummary>();

        var summary = await dispatcher.RunOnceAsync(new DispatchOptions { BatchSize = 10 }, new SynchronousProgress<DispatchSummary>(reports.Add));

        Assert.Equal((3, 25, 25), (summary.Batches, summary.Claimed, summary.Sent));
        Assert.Equal([10, 10, 5], broker.BatchSizes);
        Assert.Equal([10, 20, 25], reports.Select(r => r.Sent));
        Assert.Equal(TaskStates.Scheduled, (await store.GetAsync("tomorrow"))!.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_pass_with_a_limit_sends_no_more_than_the_limit_soonest_first(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertManyAsync(Enumerable.Range(0, 30).Select(i => TestTasks.Scheduled(clock.UtcNow.AddMinutes(-i), $"s{i}")).ToList());

        var summary = await dispatcher.RunOnceAsync(new DispatchOptions { BatchSize = 10, Limit = 12 });

        Assert.Equal(12, summary.Sent);
        Assert.Equal([10, 2], broker.BatchSizes);
        var sentFrom = await Task.WhenAll(broker.SentIds.Select(async id => (await store.GetAsync(id))!.RetriedFrom));
        Assert.Equal(Enumerable.Range(18, 12).Select(i => $"s{i}").Order(), sentFrom.Order());
        Assert.Equal(18, await dispatcher.PreviewAsync().CountAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_preview_lists_what_the_next_pass_would_send_and_sends_nothing(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddMinutes(-2), "due-1"));
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddMinutes(-1), "due-2"));
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddMinutes(1), "not-yet"));

        var preview = await dispatcher.PreviewAsync().ToListAsync();

        Assert.Equal(["due-1", "due-2"], preview.Select(r => r.TaskId));
        Assert.Empty(broker.Sent);
        Assert.Equal(TaskStates.Scheduled, (await store.GetAsync("due-1"))!.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Dispatchers_racing_over_the_same_rows_send_each_row_exactly_once(DatabaseProvider provider)
    {
        var connection = TestStores.NewDatabase(provider);
        var past = DateTime.UtcNow.AddMinutes(-1);
        await new TaskStore(connection).InsertManyAsync(Enumerable.Range(0, 2000).Select(i => TestTasks.Scheduled(past, $"s{i}")).ToList());
        var broker = new RecordingPublisher();

        var summaries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            new ScheduledDispatcher(new TaskStore(connection), broker).RunOnceAsync(new DispatchOptions { BatchSize = 50 }))));

        Assert.Equal(2000, summaries.Sum(s => s.Sent));
        Assert.Equal(2000, broker.SentIds.Distinct().Count());
        Assert.Equal(2000, broker.Sent.Count);
        var store = new TaskStore(connection);
        var sentRows = await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.ScheduledSent] }).ToListAsync();
        Assert.Equal(broker.SentIds.Order(), sentRows.Select(r => r.RetriedAs!).Order());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_dispatcher_stopped_between_claim_and_bookkeeping_leaves_a_claim_reported_stale_from_its_claim_time(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddHours(-3), "crashed"));
        // The process dies as it starts its bookkeeping: the claim is committed, nothing after it is.
        store.Database.StatementObserver = (sql, _) =>
        {
            if (sql.Contains("SCHEDULED_SENT")) throw new InvalidOperationException("the dispatcher died");
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.RunOnceAsync());
        store.Database.StatementObserver = null;
        var claimedAt = clock.UtcNow;

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(5)).ToListAsync());
        Assert.Equal(0, (await dispatcher.RunOnceAsync()).Claimed);
        clock.Advance(TimeSpan.FromMinutes(2));
        var stale = Assert.Single(await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(5)).ToListAsync());
        Assert.Equal(("crashed", TaskStates.Scheduled, claimedAt), (stale.TaskId, stale.Status, stale.ClaimedAt));
        Assert.Empty(broker.Sent);

        Assert.True(await store.ReleaseScheduledClaimAsync("crashed", stale.ScheduledId!));
        Assert.Equal(1, (await dispatcher.RunOnceAsync()).Sent);
        Assert.Single(broker.Sent);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_publish_that_fails_after_the_bookkeeping_leaves_pending_rows_the_stale_query_reports(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertManyAsync(Enumerable.Range(0, 3).Select(i => TestTasks.Scheduled(clock.UtcNow, $"s{i}")).ToList());
        broker.Unconfirmed = messages => messages.Select(m => m.Id).ToList();

        var summary = await dispatcher.RunOnceAsync();

        Assert.Equal((3, 0, 3), (summary.Claimed, summary.Sent, summary.Failed));
        Assert.Contains("nacked", summary.PublishError);
        clock.Advance(TimeSpan.FromMinutes(10));
        var stale = await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromMinutes(5) }).ToListAsync();
        Assert.Equal(summary.FailedTaskIds.Order(), stale.Select(t => t.TaskId).Order());
        Assert.All(stale, t => Assert.Equal(TaskStates.Pending, t.Status));
        Assert.All(stale, t => Assert.StartsWith("s", t.RetriedFrom));
        Assert.All(stale, t => Assert.Contains("nacked", JsonDocument.Parse(t.Meta!).RootElement.GetProperty("publish_error").GetString()));
        // The scheduled rows are done: the next pass does not send them again behind the operator's back.
        broker.Unconfirmed = null;
        Assert.Equal(0, (await dispatcher.RunOnceAsync()).Claimed);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_partly_confirmed_batch_counts_the_confirmed_as_sent_stops_the_pass_and_puts_the_batch_claimed_meanwhile_back(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertManyAsync(Enumerable.Range(0, 9).Select(i => TestTasks.Scheduled(clock.UtcNow, $"s{i}")).ToList());
        broker.Unconfirmed = messages => [messages[0].Id];

        var summary = await dispatcher.RunOnceAsync(new DispatchOptions { BatchSize = 3 });

        // The second batch was claimed while the first was being published; it goes back unsent, unclaimed.
        Assert.Equal((1, 3, 2, 1), (summary.Batches, summary.Claimed, summary.Sent, summary.Failed));
        Assert.Equal(6, await dispatcher.PreviewAsync().CountAsync());
        Assert.Equal(1, await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Pending] }).CountAsync(r => r.Meta is not null));
    }

    [Fact]
    public async Task The_next_batch_is_claimed_while_the_previous_one_waits_for_its_confirms_and_recorded_after_them_and_batches_go_out_in_order()
    {
        var (store, clock, broker, _) = Setup(DatabaseProvider.PostgreSql);
        await store.InsertManyAsync(Enumerable.Range(0, 6).Select(i => TestTasks.Scheduled(clock.UtcNow.AddSeconds(-i), $"s{i}")).ToList());
        var slowBroker = new GatedPublisher(broker);

        var pass = new ScheduledDispatcher(store, slowBroker).RunOnceAsync(new DispatchOptions { BatchSize = 3 });
        await slowBroker.FirstBatchArrived;
        await WaitUntil(async () => await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Scheduled] }).CountAsync(r => r.ScheduledId is not null) == 3);
        Assert.Equal(3, await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.ScheduledSent] }).CountAsync());
        Assert.Empty(broker.Sent);
        slowBroker.Release();
        var summary = await pass;

        Assert.Equal((2, 6, 6), (summary.Batches, summary.Claimed, summary.Sent));
        var sentFrom = await Task.WhenAll(broker.SentIds.Select(async id => (await store.GetAsync(id))!.RetriedFrom!));
        Assert.Equal(["s5", "s4", "s3", "s2", "s1", "s0"], sentFrom);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_pass_claims_nothing_while_the_publisher_reports_the_broker_unreachable(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertManyAsync(Enumerable.Range(0, 3).Select(i => TestTasks.Scheduled(clock.UtcNow, $"s{i}")).ToList());
        broker.Ready = false;

        var summary = await dispatcher.RunOnceAsync();

        Assert.True(summary.BrokerUnavailable);
        Assert.Equal((0, 0), (summary.Claimed, summary.Failed));
        Assert.Equal(3, await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Scheduled] }).CountAsync(r => r.ScheduledId is null));
        broker.Ready = true;
        Assert.Equal(3, (await dispatcher.RunOnceAsync()).Sent);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_cancelled_scheduled_task_is_never_sent(DatabaseProvider provider)
    {
        var (store, clock, broker, dispatcher) = Setup(provider);
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddMinutes(5), "cancelled"));
        await store.InsertAsync(TestTasks.Scheduled(clock.UtcNow.AddMinutes(5), "kept"));

        Assert.True(await store.CancelScheduledAsync("cancelled"));
        clock.Advance(TimeSpan.FromMinutes(5));
        var summary = await dispatcher.RunOnceAsync();

        Assert.Equal(1, summary.Sent);
        Assert.Equal("kept", (await store.GetAsync(Assert.Single(broker.SentIds)))!.RetriedFrom);
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync("cancelled"))!.Status);
    }

    [Fact]
    public async Task Rows_released_after_the_claim_are_skipped_and_the_rest_of_the_batch_is_sent()
    {
        var (store, clock, broker, dispatcher) = Setup(DatabaseProvider.PostgreSql);
        var operatorStore = new TaskStore(store.Connection, store.Options);
        await store.InsertManyAsync(Enumerable.Range(0, 4).Select(i => TestTasks.Scheduled(clock.UtcNow, $"s{i}")).ToList());
        // An operator releases one claimed row just before the dispatcher's bookkeeping.
        var released = false;
        store.Database.StatementObserver = (sql, _) =>
        {
            if (!released && sql.Contains("SCHEDULED_SENT")) released = operatorStore.ReleaseScheduledClaimAsync("s2", operatorStore.GetAsync("s2").GetAwaiter().GetResult()!.ScheduledId!).GetAwaiter().GetResult();
        };

        var summary = await dispatcher.RunOnceAsync();

        Assert.True(released);
        Assert.Equal((4, 3, 1), (summary.Claimed, summary.Sent, summary.Skipped));
        Assert.Equal((TaskStates.Scheduled, null), ((await store.GetAsync("s2"))!.Status, (await store.GetAsync("s2"))!.ScheduledId));
        Assert.DoesNotContain("s2", await Task.WhenAll(broker.SentIds.Select(async id => (await store.GetAsync(id))!.RetriedFrom!)));
    }

    [Fact]
    public async Task The_loop_dispatches_rows_as_they_fall_due_until_cancelled()
    {
        var store = TestStores.NewStore(DatabaseProvider.Sqlite);
        var broker = new RecordingPublisher();
        var dispatcher = new ScheduledDispatcher(store, broker);
        using var stop = new CancellationTokenSource();
        await store.InsertAsync(TestTasks.Scheduled(DateTime.UtcNow.AddSeconds(-1), "first"));

        var loop = dispatcher.CreateLoop(TimeSpan.FromMilliseconds(50)).RunAsync(stop.Token);
        await WaitUntil(() => broker.Sent.Count == 1);
        await store.InsertAsync(TestTasks.Scheduled(DateTime.UtcNow.AddMilliseconds(200), "second"));
        await WaitUntil(() => broker.Sent.Count == 2);
        stop.Cancel();
        await loop;

        Assert.Equal(2, broker.Sent.Count);
    }

    private static Task WaitUntil(Func<bool> condition) => WaitUntil(() => Task.FromResult(condition()));

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true within 20 seconds.");
            await Task.Delay(20);
        }
    }
}

/// <summary>Holds every publish until released: a broker slow to confirm.</summary>
public sealed class GatedPublisher(ITaskPublisher inner) : ITaskPublisher
{
    private readonly TaskCompletionSource _firstBatch = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task FirstBatchArrived => _firstBatch.Task;

    public void Release() => _gate.TrySetResult();

    public async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        _firstBatch.TrySetResult();
        await _gate.Task;
        await inner.PublishAsync(messages, cancellationToken);
    }
}

/// <summary>IProgress that reports on the caller's thread, so a test sees every report before the call returns.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
