using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class TaskStoreMaintenanceTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Purge_deletes_old_results_in_batches_by_state_and_never_scheduled_rows(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        await store.InsertManyAsync(Enumerable.Range(0, 25).Select(i => Tasks.Pending($"old-{i}")).ToList());
        foreach (var i in Enumerable.Range(0, 25))
            await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = $"old-{i}", Status = i < 20 ? TaskStates.Success : TaskStates.Failure });
        await store.InsertAsync(Tasks.Pending("old-pending"));
        await store.InsertAsync(Tasks.Scheduled(clock.UtcNow.AddYears(1), "old-scheduled"));
        clock.Advance(TimeSpan.FromDays(40));
        await store.InsertAsync(Tasks.Pending("young"));
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "young", Status = TaskStates.Success });
        var reports = new List<long>();

        var purged = await store.PurgeAsync(new PurgeRequest { OlderThan = TimeSpan.FromDays(30), States = [TaskStates.Success], BatchSize = 6 }, new SyncProgress(reports));

        Assert.Equal(20, purged);
        Assert.Equal([6L, 12, 18, 20], reports);
        var left = (await store.QueryAsync(new TaskQuery()).ToListAsync()).Select(r => r.TaskId).ToHashSet();
        Assert.Equal(8, left.Count);
        Assert.Contains("old-scheduled", left);
        Assert.Contains("old-pending", left);
        Assert.Contains("young", left);
        Assert.Equal(5, await store.PurgeAsync(new PurgeRequest { OlderThan = TimeSpan.FromDays(30) }));
    }

    [Fact]
    public async Task Purging_scheduled_tasks_is_refused()
    {
        var store = TestStores.NewStore(DatabaseProvider.Sqlite);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PurgeAsync(new PurgeRequest { States = [TaskStates.Scheduled] }));
        Assert.Contains("SCHEDULED tasks are never purged", error.Message);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Results_stored_as_bare_strings_are_repaired_into_json_strings(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider, new TaskStoreOptions { PageSize = 2 });
        var results = new Dictionary<string, string>
        {
            ["bare"] = "done",
            ["json-string"] = "\"done\"",
            ["json-number"] = "42",
            ["json-object"] = "{\"a\": 1}",
            ["bare-quote"] = "it's \"fine\"",
        };
        foreach (var (id, result) in results)
        {
            await store.InsertAsync(Tasks.Pending(id));
            await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = id, Status = TaskStates.Success, Result = result });
        }

        Assert.Equal(2, await store.RepairResultsAsync());

        Assert.Equal("\"done\"", (await store.GetAsync("bare"))!.Result);
        Assert.Equal("\"it's \\\"fine\\\"\"", (await store.GetAsync("bare-quote"))!.Result);
        Assert.Equal("42", (await store.GetAsync("json-number"))!.Result);
        Assert.Equal(0, await store.RepairResultsAsync());
    }

    private sealed class SyncProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
