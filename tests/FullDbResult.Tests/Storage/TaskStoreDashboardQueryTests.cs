using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

/// <summary>The store's queries behind the dashboard: lineage and routing filters, keyset cursors, counts, per-minute activity.</summary>
public class TaskStoreDashboardQueryTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_listing_filters_by_queue_worker_group_root_and_parent(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var a = Tasks.Pending("a");
        a.Queue = "mail"; a.GroupId = "g1"; a.RootId = "r1";
        var b = Tasks.Pending("b");
        b.RootId = "r1"; b.ParentId = "a";
        await store.InsertManyAsync([a, b, Tasks.Pending("c")]);
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "c", Status = TaskStates.Started, Worker = "w1@host" });

        Assert.Equal(["a"], await Ids(store, new TaskQuery { Queue = "mail" }));
        Assert.Equal(["c"], await Ids(store, new TaskQuery { Worker = "w1@host" }));
        Assert.Equal(new Dictionary<string, long> { ["w1@host"] = 1 }, await store.CountByWorkerAsync(TaskStates.Started));
        Assert.Equal(["a"], await Ids(store, new TaskQuery { GroupId = "g1" }));
        Assert.Equal(["a", "b"], (await Ids(store, new TaskQuery { RootId = "r1" })).Order());
        Assert.Equal(["b"], await Ids(store, new TaskQuery { RootId = "r1", ParentId = "a" }));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_cursor_continues_a_listing_after_the_row_it_was_taken_from_in_either_order(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        for (var i = 0; i < 9; i++)
        {
            await store.InsertAsync(Tasks.Pending($"t{i}"));
            // Three rows share each time, so the cursor must break ties by row id.
            if (i % 3 == 2) clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await store.QueryAsync(new TaskQuery { First = 4 }).ToListAsync();
        var rest = await store.QueryAsync(new TaskQuery { After = TaskCursor.From(first[^1]) }).ToListAsync();
        var oldest = await store.QueryAsync(new TaskQuery { OldestFirst = true, First = 4 }).ToListAsync();
        var newer = await store.QueryAsync(new TaskQuery { OldestFirst = true, After = TaskCursor.From(oldest[^1]) }).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 9).Reverse().Select(i => $"t{i}"), first.Concat(rest).Select(r => r.TaskId));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"t{i}"), oldest.Concat(newer).Select(r => r.TaskId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Counts_by_status_and_activity_per_minute_cover_only_changes_since_the_given_time(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertManyAsync([Tasks.Pending("old"), Tasks.Pending("s1"), Tasks.Pending("s2"), Tasks.Pending("f1"), Tasks.Pending("p1")]);
        await SetAsync(store, "old", TaskStates.Success);
        clock.Advance(TimeSpan.FromHours(2));
        var since = clock.UtcNow;
        var minute = new DateTime(since.Ticks - since.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        await SetAsync(store, "s1", TaskStates.Success);
        await SetAsync(store, "f1", TaskStates.Failure);
        clock.Advance(TimeSpan.FromMinutes(3));
        await SetAsync(store, "s2", TaskStates.Success);

        var counts = await store.CountByStatusAsync(since);
        var successes = await store.GetActivityAsync(TaskStates.Success, since);

        Assert.Equal(2, counts[TaskStates.Success]);
        Assert.Equal(1, counts[TaskStates.Failure]);
        Assert.Equal(0, counts[TaskStates.Pending]);
        Assert.Equal([new TaskActivity(minute, 1), new TaskActivity(minute.AddMinutes(3), 1)], successes);
        Assert.Equal([new TaskActivity(minute, 1)], await store.GetActivityAsync(TaskStates.Failure, since));
    }

    private static async Task SetAsync(TaskStore store, string id, string status) =>
        Assert.True(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = id, Status = status }));

    private static async Task<List<string>> Ids(TaskStore store, TaskQuery query) =>
        (await store.QueryAsync(query).ToListAsync()).Select(r => r.TaskId).ToList();
}
