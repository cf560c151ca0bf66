using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class TaskStoreClaimTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_task_is_claimed_for_retry_once_and_the_new_row_records_where_it_came_from(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("old"));

        Assert.Equal(RetryClaim.Claimed, await store.ClaimRetryAsync("old", Tasks.Pending("new-1")));
        Assert.Equal(RetryClaim.AlreadyRetried, await store.ClaimRetryAsync("old", Tasks.Pending("new-2")));
        Assert.Equal(RetryClaim.NotFound, await store.ClaimRetryAsync("missing", Tasks.Pending("new-3")));

        Assert.Equal("new-1", (await store.GetAsync("old"))!.RetriedAs);
        Assert.Equal("old", (await store.GetAsync("new-1"))!.RetriedFrom);
        Assert.Null(await store.GetAsync("new-2"));
        Assert.Null(await store.GetAsync("new-3"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Two_retries_of_one_task_at_once_claim_it_once(DatabaseProvider provider)
    {
        var connection = TestStores.NewDatabase(provider);
        var seed = new TaskStore(connection);
        var ids = Enumerable.Range(0, 20).Select(i => $"race-{i}").ToList();
        await seed.InsertManyAsync(ids.Select(id => Tasks.Pending(id)).ToList());
        var operators = new[] { new TaskStore(connection), new TaskStore(connection) };

        var outcomes = await Task.WhenAll(ids.SelectMany(id => operators.Select(store =>
            Task.Run(() => store.ClaimRetryAsync(id, Tasks.Pending($"{id}-by-{Array.IndexOf(operators, store)}"))))));

        Assert.Equal(20, outcomes.Count(o => o == RetryClaim.Claimed));
        Assert.Equal(20, outcomes.Count(o => o == RetryClaim.AlreadyRetried));
        var newRows = await seed.QueryAsync(new TaskQuery { Name = "email.send" }).ToListAsync();
        Assert.Equal(40, newRows.Count);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Scheduled_rows_are_claimed_only_when_due_soonest_first(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddMinutes(10), "later"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddMinutes(-1), "due-2"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddMinutes(-5), "due-1"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow, "due-now"));

        Assert.Equal(["due-1", "due-2", "due-now"], (await store.GetDueScheduledAsync().ToListAsync()).Select(r => r.TaskId));
        var claimed = await store.ClaimDueScheduledAsync(10, "claim-a");

        Assert.Equal(["due-1", "due-2", "due-now"], claimed.Select(r => r.TaskId));
        Assert.All(claimed, r => Assert.Equal(("claim-a", clock.UtcNow), (r.ScheduledId, r.ClaimedAt)));
        Assert.Empty(await store.ClaimDueScheduledAsync(10, "claim-b"));
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["later"], (await store.ClaimDueScheduledAsync(10, "claim-c")).Select(r => r.TaskId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Concurrent_claimers_never_get_the_same_scheduled_row(DatabaseProvider provider)
    {
        var connection = TestStores.NewDatabase(provider);
        var seed = new TaskStore(connection);
        var past = DateTime.UtcNow.AddMinutes(-1);
        await seed.InsertManyAsync(Enumerable.Range(0, 600).Select(i => Tasks.Scheduled(past, $"s-{i}")).ToList());

        var claimers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var store = new TaskStore(connection);
            var mine = new List<string>();
            while (await store.ClaimDueScheduledAsync(25, $"claimer-{i}") is { Count: > 0 } batch)
                mine.AddRange(batch.Select(r => r.TaskId));
            return mine;
        })).ToList();
        var claims = (await Task.WhenAll(claimers)).SelectMany(ids => ids).ToList();

        Assert.Equal(600, claims.Count);
        Assert.Equal(600, claims.Distinct().Count());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Marking_claimed_rows_sent_records_the_new_ids_and_writes_their_pending_rows(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow, "s1"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow, "s2"));
        var claimed = await store.ClaimDueScheduledAsync(10, "claim-1");
        var sends = claimed.Select(r => new TaskRecord { TaskId = r.TaskId + "-sent", TaskName = r.TaskName, Args = r.Args, Kwargs = r.Kwargs, RetriedFrom = r.TaskId }).ToList();

        Assert.False(await store.MarkScheduledSentAsync("another-claim", sends));
        Assert.True(await store.MarkScheduledSentAsync("claim-1", sends));

        var s1 = await store.GetAsync("s1");
        Assert.Equal((TaskStates.ScheduledSent, "s1-sent"), (s1!.Status, s1.RetriedAs));
        var sent = await store.GetAsync("s2-sent");
        Assert.Equal((TaskStates.Pending, "s2"), (sent!.Status, sent.RetriedFrom));
        Assert.False(await store.MarkScheduledSentAsync("claim-1", sends.Take(1).Select(r => { r.TaskId = "again"; return r; }).ToList()));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_claim_never_marked_sent_is_reported_stale_from_its_claim_and_can_be_released(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddDays(-3), "crashed"));
        await store.ClaimDueScheduledAsync(10, "dead-dispatcher");
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(10)).ToListAsync());
        var stale = Assert.Single(await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(1)).ToListAsync());
        Assert.Equal(("crashed", "dead-dispatcher"), (stale.TaskId, stale.ScheduledId));
        // Scheduled rows belong to the scheduled query, never to the stale-task query.
        Assert.Empty(await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero }).ToListAsync());

        Assert.True(await store.ReleaseScheduledClaimAsync("crashed", "dead-dispatcher"));
        Assert.False(await store.ReleaseScheduledClaimAsync("crashed", "dead-dispatcher"));
        Assert.Equal(["crashed"], (await store.ClaimDueScheduledAsync(10, "next")).Select(r => r.TaskId));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_stale_claim_is_released_once_only_while_the_same_claim_holds_and_the_row_is_then_sent_once(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddMinutes(-30), "crashed"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddMinutes(-30), "reclaimed"));
        await store.ClaimDueScheduledAsync(10, "dead-dispatcher");
        clock.Advance(TimeSpan.FromMinutes(20));

        // Two operators release the same stale claim at once: one does.
        var releases = await Task.WhenAll(
            Task.Run(() => store.ReleaseScheduledClaimAsync("crashed", "dead-dispatcher")),
            Task.Run(() => store.ReleaseScheduledClaimAsync("crashed", "dead-dispatcher")));
        Assert.Equal(1, releases.Count(released => released));
        // A newer claim is never undone by an operator holding the old one.
        Assert.True(await store.ReleaseScheduledClaimAsync("reclaimed", "dead-dispatcher"));
        var next = await store.ClaimDueScheduledAsync(10, "next-dispatcher");
        Assert.Equal(["crashed", "reclaimed"], next.Select(r => r.TaskId).Order());
        Assert.False(await store.ReleaseScheduledClaimAsync("reclaimed", "dead-dispatcher"));
        Assert.Equal("next-dispatcher", (await store.GetAsync("reclaimed"))!.ScheduledId);
        // The dead dispatcher, were it alive after all, can no longer record (nor so send) the rows.
        Assert.False(await store.MarkScheduledSentAsync("dead-dispatcher", [new TaskRecord { TaskId = "late-send", TaskName = "t", RetriedFrom = "crashed" }]));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_scheduled_task_can_be_cancelled_only_while_unclaimed(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddHours(1), "cancel-me"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow, "claimed"));
        await store.ClaimDueScheduledAsync(10, "c");

        Assert.True(await store.CancelScheduledAsync("cancel-me"));
        Assert.False(await store.CancelScheduledAsync("claimed"));
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync("cancel-me"))!.Status);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty(await store.ClaimDueScheduledAsync(10, "d"));
    }
}
