using System.Data.Common;
using Dapper;
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

    [Fact]
    public async Task A_later_change_to_a_task_waits_for_the_batch_holding_its_earlier_one()
    {
        var store = TestStores.NewStore(DatabaseProvider.PostgreSql);
        foreach (var id in new[] { "p", "q", "blocker", "retried" }) await store.InsertAsync(Tasks.Pending(id));
        // Other transactions hold rows, so batches wait in the database as long as the test says. An unordered
        // writer would commit the retried task's SCHEDULED while its STARTED's batch waits, and the STARTED,
        // committed after it, would turn the row back to STARTED: never dispatched.
        await using var holdP = await RowLock.TakeAsync(store, "p");
        await using var holdQ = await RowLock.TakeAsync(store, "q");
        await using var holdBlocker = await RowLock.TakeAsync(store, "blocker");
        await using var writer = new TaskStateWriter(store, maxBatchSize: 10, maxBatchesInFlight: 2);
        Task<bool> Start(string id) => writer.ApplyAsync(new TaskStateChange { TaskId = id, Status = TaskStates.Started, TaskName = "proj.add" });

        var pStarted = Start("p");
        await RowLock.WaitersAsync(store, 1);
        var qStarted = Start("q");
        await RowLock.WaitersAsync(store, 2);
        // Both batches are in flight: these two wait for a slot and go together, the blocker's first.
        var pair = new[] { Start("blocker"), Start("retried") };
        await holdP.ReleaseAsync();
        await RowLock.WaitersAsync(store, 2);
        await holdQ.ReleaseAsync();
        await RowLock.WaitersAsync(store, 1);
        var scheduled = writer.ApplyAsync(new TaskStateChange { TaskId = "retried", Status = TaskStates.Scheduled, TaskName = "proj.add", Eta = DateTime.UtcNow.AddHours(1) });
        await Task.Delay(500);
        Assert.False(scheduled.IsCompleted);
        await holdBlocker.ReleaseAsync();

        Assert.All(await Task.WhenAll([pStarted, qStarted, .. pair]), Assert.True);
        Assert.True(await scheduled);
        Assert.Equal(TaskStates.Scheduled, (await store.GetAsync("retried"))!.Status);
    }

    /// <summary>A row held FOR UPDATE by a transaction of the test's own, so that writes to it wait.</summary>
    private sealed class RowLock : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly DbTransaction _transaction;

        private RowLock(DbConnection connection, DbTransaction transaction) => (_connection, _transaction) = (connection, transaction);

        public static async Task<RowLock> TakeAsync(TaskStore store, string taskId)
        {
            var connection = await store.Database.OpenAsync(CancellationToken.None);
            var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync($"SELECT 1 FROM {TaskRow.Table} WHERE task_id = @taskId FOR UPDATE", new { taskId }, transaction);
            return new RowLock(connection, transaction);
        }

        /// <summary>Waits until exactly <paramref name="count"/> sessions wait for a lock.</summary>
        public static async Task WaitersAsync(TaskStore store, int count)
        {
            await using var connection = await store.Database.OpenAsync(CancellationToken.None);
            for (var attempt = 0; attempt < 600; attempt++)
            {
                if (await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == count)
                    return;
                await Task.Delay(50);
            }
            throw new TimeoutException($"{count} sessions never waited for a lock.");
        }

        public async Task ReleaseAsync() => await _transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
