using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class TaskStateWriterTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Changes_from_many_callers_are_written_in_few_batches_and_each_caller_gets_its_answer(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("already-done"));
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "already-done", Status = TaskStates.Success, Result = "1" });
        var connectionsOpened = 0;
        store.Database.ConnectionFactory = connectionString =>
        {
            Interlocked.Increment(ref connectionsOpened);
            return store.Dialect.CreateConnection(connectionString);
        };

        await using var writer = new TaskStateWriter(store);
        var started = Enumerable.Range(0, 300)
            .Select(i => writer.ApplyAsync(new TaskStateChange { TaskId = $"w-{i}", Status = TaskStates.Started, TaskName = "proj.add", Args = $"[{i}]" }))
            .ToList();
        var late = writer.ApplyAsync(new TaskStateChange { TaskId = "already-done", Status = TaskStates.Started });

        Assert.All(await Task.WhenAll(started), Assert.True);
        Assert.False(await late);
        Assert.True(connectionsOpened <= 10, $"{connectionsOpened} connections for 301 changes: they were not batched.");
        Assert.Equal(300, await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Started] }).CountAsync());
        Assert.Equal("[299]", (await store.GetAsync("w-299"))!.Args);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_bad_change_fails_only_its_own_caller(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await using var writer = new TaskStateWriter(store);

        var changes = Enumerable.Range(0, 50)
            .Select(i => writer.ApplyAsync(new TaskStateChange { TaskId = $"ok-{i}", Status = TaskStates.Success, TaskName = "x", Result = "1" }))
            .Append(writer.ApplyAsync(new TaskStateChange { TaskId = "bad", Status = TaskStates.Success, TaskName = "x", Args = "{\"not\": \"a list\"}" }))
            .ToList();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => changes[^1]);
        Assert.Contains("expected a JSON array", error.Message);
        Assert.All(await Task.WhenAll(changes.SkipLast(1)), Assert.True);
        Assert.Equal(50, await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Success] }).CountAsync());
    }

    [Fact]
    public async Task Stopping_writes_every_queued_change_then_refuses_new_ones()
    {
        var store = TestStores.NewStore(DatabaseProvider.Sqlite);
        var writer = new TaskStateWriter(store, maxBatchSize: 7);
        var queued = Enumerable.Range(0, 100)
            .Select(i => writer.ApplyAsync(new TaskStateChange { TaskId = $"q-{i}", Status = TaskStates.Success, TaskName = "x", Result = "1" }))
            .ToList();

        await writer.DisposeAsync();

        Assert.All(queued, change => Assert.True(change.IsCompletedSuccessfully));
        Assert.Equal(100, await store.QueryAsync(new TaskQuery()).CountAsync());
        Assert.Throws<ObjectDisposedException>(() => { _ = writer.ApplyAsync(new TaskStateChange { TaskId = "late", Status = TaskStates.Success }); });
    }
}
