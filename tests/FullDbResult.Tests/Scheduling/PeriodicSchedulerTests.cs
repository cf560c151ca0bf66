using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Storage;
using Xunit;
using static FullDbResult.Tests.Scheduling.PeriodicTaskStoreTests;

namespace FullDbResult.Tests.Scheduling;

public class PeriodicSchedulerTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    private static (PeriodicTaskStore Tasks, ManualClock Clock, RecordingPublisher Broker, PeriodicScheduler Scheduler) Setup(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var tasks = new PeriodicTaskStore(TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock }));
        var broker = new RecordingPublisher(clock);
        return (tasks, clock, broker, new PeriodicScheduler(tasks, broker));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_interval_task_is_sent_one_interval_after_it_was_added_and_then_every_interval(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 60));

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await scheduler.RunOnceAsync());
        clock.Advance(TimeSpan.FromSeconds(1));
        var run = Assert.Single(await scheduler.RunOnceAsync());
        Assert.Empty(await scheduler.RunOnceAsync());
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Single(await scheduler.RunOnceAsync());

        Assert.Equal(("refresh", true, clock.UtcNow.AddSeconds(-60)), (run.Name, run.Sent, run.DueAt));
        Assert.Equal(2, broker.Sent.Count);
        var stored = (await tasks.GetAsync("refresh"))!;
        Assert.Equal((2L, clock.UtcNow, broker.Sent.Last().Message.Id), (stored.RunCount, stored.LastRunAt, stored.LastTaskId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_sent_run_is_a_pending_task_with_the_definitions_name_arguments_and_routing(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 60));
        clock.Advance(TimeSpan.FromMinutes(1));

        var run = Assert.Single(await scheduler.RunOnceAsync());

        var message = Assert.Single(broker.Sent).Message;
        Assert.Equal((run.TaskId, "reports.refresh", "[1, \"two\"]", "{\"full\": true}", "reports"), (message.Id, message.Name, message.Args, message.Kwargs, message.RoutingKey));
        var row = (await tasks.Tasks.GetAsync(run.TaskId))!;
        Assert.Equal((TaskStates.Pending, "reports.refresh", "[1, \"two\"]", "reports"), (row.Status, row.TaskName, row.Args, row.RoutingKey));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_cron_task_is_sent_at_its_occurrence_in_its_time_zone(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        // Added 2026-11-25 12:00 UTC; 09:00 in Berlin (UTC+1 in November) is 08:00 UTC the next day.
        await tasks.AddAsync(Cron("morning", "0 9 * * *", "Europe/Berlin"));
        var occurrence = new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);

        Assert.Empty(await scheduler.RunOnceAsync(occurrence.AddSeconds(-1)));
        var run = Assert.Single(await scheduler.RunOnceAsync(occurrence));

        Assert.Equal(occurrence, run.DueAt);
        Assert.Equal(occurrence, (await tasks.GetAsync("morning"))!.LastRunAt);
        Assert.Single(broker.Sent);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_scheduler_that_was_down_sends_a_missed_task_once_now_not_a_burst_of_missed_runs(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Cron("hourly", "0 * * * *"));
        await tasks.AddAsync(Every("minutely", 60));

        clock.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(30));
        var runs = await scheduler.RunOnceAsync();
        Assert.Empty(await scheduler.RunOnceAsync());

        Assert.Equal(["hourly", "minutely"], runs.Select(r => r.Name).Order());
        Assert.Equal(2, broker.Sent.Count);
        // The next runs count from the catch-up run: the next full hour, and a minute from now.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["minutely"], (await scheduler.RunOnceAsync()).Select(r => r.Name));
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(["hourly", "minutely"], (await scheduler.RunOnceAsync()).Select(r => r.Name).Order());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_disabled_task_is_not_sent_and_once_enabled_again_catches_up_once(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 60));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(await scheduler.RunOnceAsync());
        await tasks.DisableAsync("refresh");

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await scheduler.RunOnceAsync());
        await tasks.EnableAsync("refresh");
        Assert.Single(await scheduler.RunOnceAsync());
        Assert.Empty(await scheduler.RunOnceAsync());
        Assert.Equal(2, broker.Sent.Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Four_schedulers_racing_send_each_due_run_once(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var connection = TestStores.NewDatabase(provider);
        var seed = new PeriodicTaskStore(new TaskStore(connection, new TaskStoreOptions { Clock = clock }));
        for (var i = 0; i < 20; i++) await seed.AddAsync(Every($"task-{i:00}", 60));
        var broker = new RecordingPublisher(clock);
        var schedulers = Enumerable.Range(0, 4)
            .Select(_ => new PeriodicScheduler(new PeriodicTaskStore(new TaskStore(connection, new TaskStoreOptions { Clock = clock })), broker))
            .ToList();

        var sentNames = new List<string>();
        for (var round = 1; round <= 3; round++)
        {
            clock.Advance(TimeSpan.FromSeconds(60));
            var runs = (await Task.WhenAll(schedulers.Select(s => Task.Run(() => s.RunOnceAsync())))).SelectMany(r => r).ToList();
            Assert.Equal(20, runs.Count);
            sentNames.AddRange(runs.Select(r => r.Name));
        }

        Assert.All(sentNames.GroupBy(n => n), g => Assert.Equal(3, g.Count()));
        Assert.Equal(60, broker.Sent.Count);
        Assert.Equal(60, broker.SentIds.Distinct().Count());
        Assert.All(await seed.ListAsync(), t => Assert.Equal(3L, t.RunCount));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_scheduler_that_read_a_run_another_already_claimed_does_not_send_it(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 60));
        clock.Advance(TimeSpan.FromMinutes(1));
        var staleRead = (await tasks.GetAsync("refresh"))!;

        Assert.Single(await scheduler.RunOnceAsync());
        var lateSend = new TaskRecord { TaskId = "late", TaskName = staleRead.TaskName };

        Assert.False(await tasks.ClaimRunAsync(staleRead, clock.UtcNow, lateSend, default));
        Assert.Null(await tasks.Tasks.GetAsync("late"));
        Assert.Equal(1L, (await tasks.GetAsync("refresh"))!.RunCount);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Triggering_a_task_by_hand_sends_it_now_records_the_run_and_returns_the_new_task_id(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 3600));
        await tasks.DisableAsync("refresh");
        clock.Advance(TimeSpan.FromMinutes(5));

        var taskId = await scheduler.TriggerNowAsync("refresh");

        Assert.Equal(taskId, Assert.Single(broker.SentIds));
        var stored = (await tasks.GetAsync("refresh"))!;
        Assert.Equal((1L, clock.UtcNow, taskId), (stored.RunCount, stored.LastRunAt, stored.LastTaskId));
        Assert.Equal(TaskStates.Pending, (await tasks.Tasks.GetAsync(taskId))!.Status);
        var missing = await Assert.ThrowsAsync<PeriodicTaskNotFoundException>(() => scheduler.TriggerNowAsync("missing"));
        Assert.Equal("There is no periodic task named 'missing'.", missing.Message);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_run_the_broker_does_not_confirm_stays_recorded_with_a_pending_row_the_stale_query_reports(DatabaseProvider provider)
    {
        var (tasks, clock, broker, scheduler) = Setup(provider);
        await tasks.AddAsync(Every("refresh", 60));
        await tasks.AddAsync(Every("by-hand", 3600));
        broker.Unconfirmed = messages => messages.Select(m => m.Id).ToList();
        clock.Advance(TimeSpan.FromMinutes(1));

        var run = Assert.Single(await scheduler.RunOnceAsync());
        var error = await Assert.ThrowsAsync<TaskPublishException>(() => scheduler.TriggerNowAsync("by-hand"));

        Assert.False(run.Sent);
        Assert.Contains("nacked", run.PublishError);
        Assert.Contains("not confirmed by the broker", error.Message);
        clock.Advance(TimeSpan.FromMinutes(10));
        var stale = await tasks.Tasks.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromMinutes(5) }).ToListAsync();
        Assert.Equal(new[] { run.TaskId, error.FailedTaskIds.Single() }.Order(), stale.Select(t => t.TaskId).Order());
    }

    [Fact]
    public async Task The_loop_sends_due_tasks_until_cancelled()
    {
        var tasks = new PeriodicTaskStore(TestStores.NewStore(DatabaseProvider.Sqlite));
        var broker = new RecordingPublisher();
        await tasks.AddAsync(Every("every-second", 1));
        using var stop = new CancellationTokenSource();

        var loop = new PeriodicScheduler(tasks, broker).CreateLoop(TimeSpan.FromMilliseconds(100)).RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (broker.Sent.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
        stop.Cancel();
        await loop;

        Assert.True(broker.Sent.Count >= 2, $"{broker.Sent.Count} runs were sent.");
    }

    [Fact]
    public async Task The_loop_claims_no_run_while_the_broker_is_unreachable_and_sends_one_when_it_is_back()
    {
        var tasks = new PeriodicTaskStore(TestStores.NewStore(DatabaseProvider.Sqlite));
        var broker = new RecordingPublisher { Ready = false };
        await tasks.AddAsync(Every("every-second", 1));
        using var stop = new CancellationTokenSource();

        var loop = new PeriodicScheduler(tasks, broker).CreateLoop(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)).RunAsync(stop.Token);
        // Due after one second; the loop runs through two more.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(broker.Sent);
        Assert.Equal(0, (await tasks.GetAsync("every-second"))!.RunCount);
        broker.Ready = true;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (broker.Sent.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(20);
        stop.Cancel();
        await loop;

        Assert.NotEmpty(broker.Sent);
        Assert.Equal(broker.Sent.Count, (await tasks.GetAsync("every-second"))!.RunCount);
    }
}
