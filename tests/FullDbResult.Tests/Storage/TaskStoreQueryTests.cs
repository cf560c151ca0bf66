using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class TaskStoreQueryTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    private static async Task<(TaskStore Store, ManualClock Clock)> StoreWithAsync(DatabaseProvider provider, int pageSize = 500)
    {
        var clock = new ManualClock();
        return (TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock, PageSize = pageSize }), clock);
    }

    private static async Task SetStatusAsync(TaskStore store, string id, string status) =>
        Assert.True(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = id, Status = status }));

    [Theory, MemberData(nameof(Providers))]
    public async Task A_listing_pages_through_every_row_once_newest_first(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider, pageSize: 7);
        // Several rows share each timestamp, so paging must break ties by id.
        for (var i = 0; i < 50; i++)
        {
            await store.InsertAsync(Tasks.Pending($"list-{i:D2}"));
            if (i % 3 == 2) clock.Advance(TimeSpan.FromSeconds(1));
        }

        var listed = await store.QueryAsync(new TaskQuery()).ToListAsync();

        Assert.Equal(50, listed.Select(r => r.TaskId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 50).Reverse().Select(i => $"list-{i:D2}"), listed.Select(r => r.TaskId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_listing_filters_by_name_wildcard_status_and_time(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider, pageSize: 2);
        await store.InsertAsync(Tasks.Pending("a1", name: "email.send"));
        await store.InsertAsync(Tasks.Pending("a2", name: "email.bounce"));
        await store.InsertAsync(Tasks.Pending("a3", name: "report.build"));
        await store.InsertAsync(Tasks.Pending("a4", name: "email_send"));
        clock.Advance(TimeSpan.FromMinutes(10));
        var since = clock.UtcNow;
        await SetStatusAsync(store, "a1", TaskStates.Failure);
        await SetStatusAsync(store, "a3", TaskStates.Failure);

        Assert.Equal(["a1"], await Ids(store.QueryAsync(new TaskQuery { Name = "email.send" })));
        Assert.Equal(["a1", "a2"], await Ids(store.QueryAsync(new TaskQuery { Name = "email.*" })));
        Assert.Equal(["a1", "a4"], await Ids(store.QueryAsync(new TaskQuery { Name = "email?send" })));
        Assert.Equal(["a3", "a1"], await Ids(store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Failure] })));
        Assert.Equal(["a1"], await Ids(store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Failure], Name = "email*" })));
        Assert.Equal(["a3", "a1"], await Ids(store.QueryAsync(new TaskQuery { Since = since })));
        Assert.Equal(["a4", "a2"], await Ids(store.QueryAsync(new TaskQuery { Until = since })));
        Assert.Single(await store.QueryAsync(new TaskQuery { First = 1 }).ToListAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Names_match_by_one_rule_on_every_database_case_sensitive_with_star_and_question_mark_only(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider);
        string[] names = ["email.send", "EMAIL.send", "email_send", "emailXsend", "email%off", "email.sent", "e[1]", "e1"];
        foreach (var name in names)
        {
            await store.InsertAsync(Tasks.Pending(name, name: name));
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        async Task<string[]> Matching(string name) =>
            [.. (await Ids(store.QueryAsync(new TaskQuery { Name = name }))).Order(StringComparer.Ordinal)];

        Assert.Equal(["email.send", "email.sent"], await Matching("email.*"));
        Assert.Equal(["EMAIL.send"], await Matching("EMAIL.*"));
        Assert.Equal(["email.send"], await Matching("email.send"));
        Assert.Empty(await Matching("EMAIL.SEND"));
        Assert.Equal(["email.send", "emailXsend", "email_send"], await Matching("email?send"));
        Assert.Equal(["email_send"], await Matching("email_*"));
        Assert.Equal(["email%off"], await Matching("email%*"));
        Assert.Equal(["e[1]"], await Matching("e[1]*"));
        Assert.Equal(["EMAIL.send"], [.. (await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero, Name = "EMAIL*" }).ToListAsync()).Select(t => t.TaskId)]);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Stale_tasks_are_the_old_non_terminal_ones_and_not_scheduled_or_retried(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider, pageSize: 2);
        foreach (var id in new[] { "pending", "started", "success", "failure", "revoked", "custom", "retried", "received" })
            await store.InsertAsync(Tasks.Pending(id));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddDays(1), "scheduled"));
        await SetStatusAsync(store, "started", TaskStates.Started);
        await SetStatusAsync(store, "success", TaskStates.Success);
        await SetStatusAsync(store, "failure", TaskStates.Failure);
        await SetStatusAsync(store, "revoked", TaskStates.Revoked);
        await SetStatusAsync(store, "custom", "PROGRESS");
        await SetStatusAsync(store, "received", TaskStates.Received);
        Assert.Equal(RetryClaim.Claimed, await store.ClaimRetryAsync("retried", Tasks.Pending("retried-new")));
        clock.Advance(TimeSpan.FromHours(2));
        await store.InsertAsync(Tasks.Pending("fresh"));

        var stale = await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1) }));
        Assert.Equal(["custom", "pending", "received", "retried-new", "started"], stale.Order());

        var withRetried = await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), IncludeRetried = true }));
        Assert.Contains("retried", withRetried);

        var customTerminal = await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), TerminalStates = ["success", "Pending"] }));
        Assert.Equal(["custom", "failure", "received", "started"], customTerminal.Order());

        var byName = await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), Name = "nothing.*" }));
        Assert.Empty(byName);
        Assert.Empty(await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(3) })));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Stale_tasks_of_all_open_statuses_come_oldest_first_and_ties_by_id_across_pages(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider, pageSize: 3);
        string[] statuses = [TaskStates.Pending, TaskStates.Started, TaskStates.Received, "PROGRESS"];
        // Three rows share each timestamp, and neighbours differ in status.
        for (var i = 0; i < 20; i++)
        {
            await store.InsertAsync(Tasks.Pending($"stale-{i:D2}"));
            if (statuses[i % 4] != TaskStates.Pending) await SetStatusAsync(store, $"stale-{i:D2}", statuses[i % 4]);
            if (i % 3 == 2) clock.Advance(TimeSpan.FromSeconds(1));
        }
        clock.Advance(TimeSpan.FromHours(2));

        var oldestFirst = Enumerable.Range(0, 20).Select(i => $"stale-{i:D2}").ToList();
        Assert.Equal(oldestFirst, await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1) })));
        Assert.Equal(oldestFirst[..7], await Ids(store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), First = 7 })));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_started_task_whose_worker_went_silent_is_possibly_aborted(DatabaseProvider provider)
    {
        var (store, clock) = await StoreWithAsync(provider);
        foreach (var (id, worker) in new[] { ("on-live", "live@h"), ("on-dead", "dead@h"), ("on-stopped", "stopped@h"), ("on-unknown", "python@h") })
        {
            await store.InsertAsync(Tasks.Pending(id));
            await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = id, Status = TaskStates.Started, Worker = worker });
        }
        var start = clock.UtcNow;
        await new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat { WorkerName = "dead@h", Hostname = "h", Pid = 1, StartedAt = start, LastHeartbeat = start });
        await new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat { WorkerName = "stopped@h", Hostname = "h", Pid = 2, StartedAt = start, LastHeartbeat = start.AddHours(2), StoppedAt = start.AddHours(2) });
        clock.Advance(TimeSpan.FromHours(2));
        await new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat { WorkerName = "live@h", Hostname = "h", Pid = 3, StartedAt = start, LastHeartbeat = clock.UtcNow });

        var stale = (await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1) }).ToListAsync())
            .ToDictionary(t => t.TaskId);

        Assert.False(stale["on-live"].PossiblyAborted);
        Assert.True(stale["on-dead"].PossiblyAborted);
        Assert.Equal(start, stale["on-dead"].WorkerLastSeen);
        Assert.True(stale["on-stopped"].PossiblyAborted);
        Assert.False(stale["on-unknown"].PossiblyAborted);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_empty_store_has_no_stale_tasks(DatabaseProvider provider)
    {
        var (store, _) = await StoreWithAsync(provider);
        Assert.Empty(await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero }).ToListAsync());
        Assert.Empty(await store.GetStatusesAsync());
    }

    private static async Task<List<string>> Ids<T>(IAsyncEnumerable<T> records) where T : TaskRecord =>
        (await records.ToListAsync()).Select(r => r.TaskId).ToList();
}
