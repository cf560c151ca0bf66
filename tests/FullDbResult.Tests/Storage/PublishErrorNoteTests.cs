using System.Text.Json;
using FullDbResult.Publishing;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

/// <summary>
/// The note a producer or dispatcher writes on a task whose publish the broker did not confirm: it says why
/// a PENDING row may have no message, and nothing more.
/// </summary>
public class PublishErrorNoteTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_late_publish_error_note_never_moves_a_started_or_finished_task_back(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertManyAsync([Tasks.Pending("running"), Tasks.Pending("done"), Tasks.Pending("unsent")]);
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "running", Status = TaskStates.Started, Worker = "w1" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "done", Status = TaskStates.Started, Worker = "w1" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "done", Status = TaskStates.Success, Result = "1" });

        // The confirm timed out, but the messages had reached the queue and a worker took two of them.
        await TaskClient.RecordPublishErrorAsync(store, ["running", "done", "unsent"], "confirm timed out");

        var running = (await store.GetAsync("running"))!;
        var done = (await store.GetAsync("done"))!;
        var unsent = (await store.GetAsync("unsent"))!;
        Assert.Equal((TaskStates.Started, (string?)null), (running.Status, running.Meta));
        Assert.Equal((TaskStates.Success, (string?)null), (done.Status, done.Meta));
        Assert.Equal(TaskStates.Pending, unsent.Status);
        Assert.Equal("confirm timed out", PublishError(unsent));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_worker_state_clears_the_publish_error_note(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        string[] ids = ["received", "started", "succeeded"];
        await store.InsertManyAsync(ids.Select(id => Tasks.Pending(id)).ToList());
        await TaskClient.RecordPublishErrorAsync(store, ids, "nacked");
        Assert.All(ids, id => Assert.Equal("nacked", PublishError(store.GetAsync(id).Result!)));

        // The publish was reported failed, yet the message reached the queue and a worker took it.
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "received", Status = TaskStates.Received, Worker = "w1" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "started", Status = TaskStates.Started, Worker = "w1" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "succeeded", Status = TaskStates.Started, Worker = "w1" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "succeeded", Status = TaskStates.Success, Result = "1" });

        foreach (var id in ids)
        {
            var read = (await store.GetAsync(id))!;
            Assert.True(read.Meta is null, $"{id} ({read.Status}) still carries {read.Meta}");
        }
        Assert.Equal(TaskStates.Success, (await store.GetAsync("succeeded"))!.Status);
    }

    private static string? PublishError(TaskRecord record) =>
        record.Meta is null ? null : JsonDocument.Parse(record.Meta).RootElement.GetProperty(TaskClient.PublishErrorKey).GetString();
}
