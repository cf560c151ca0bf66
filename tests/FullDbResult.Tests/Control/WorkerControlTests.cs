using System.Text;
using System.Text.Json;
using FullDbResult.Control;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Storage;
using FullDbResult.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace FullDbResult.Tests.Control;

/// <summary>A worker's answers to remote control, without a broker: what it replies and what it records.</summary>
public sealed class WorkerControlTests
{
    private const string Worker = "ours@test";
    private readonly ManualClock _clock = new();
    private readonly TaskStore _store;
    private readonly WorkerControl _control;

    public WorkerControlTests()
    {
        _store = TestStores.NewStore(DatabaseProvider.Sqlite, new TaskStoreOptions { Clock = _clock });
        var options = new WorkerOptions { WorkerName = Worker, Queues = ["celery", "mail"], Clock = _clock };
        _control = new WorkerControl(_store, options, () => ["b.task", "a.task"], NullLogger.Instance);
    }

    [Fact]
    public async Task Ping_is_answered_pong_under_the_workers_name_as_a_celery_worker_answers()
    {
        var reply = await _control.HandleAsync(Asking(ControlCommand.Inspect(ControlMethods.Ping)));

        Assert.Equal($$$"""{"{{{Worker}}}":{"ok":"pong"}}""", Encoding.UTF8.GetString(reply!));
    }

    [Fact]
    public async Task Registered_lists_the_task_names_sorted_and_active_queues_the_consumed_queues()
    {
        var registered = Value(await _control.HandleAsync(Asking(ControlCommand.Inspect(ControlMethods.Registered))));
        var queues = Value(await _control.HandleAsync(Asking(ControlCommand.Inspect(ControlMethods.ActiveQueues))));

        Assert.Equal(["a.task", "b.task"], registered.EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["celery", "mail"], queues.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_command_for_another_worker_or_without_a_ticket_gets_no_reply()
    {
        Assert.Null(await _control.HandleAsync(Asking(ControlCommand.Inspect(ControlMethods.Ping, ["other@test"]))));
        Assert.Null(await _control.HandleAsync(ControlCommand.Inspect(ControlMethods.Ping)));
    }

    [Fact]
    public async Task An_unknown_command_is_ignored_with_no_reply_and_a_revoke_without_ids_is_answered_with_an_error()
    {
        var unknown = await _control.HandleAsync(Asking(new ControlCommand { Method = "shutdown" }));
        var noIds = Value(await _control.HandleAsync(Asking(new ControlCommand { Method = ControlMethods.Revoke })));

        Assert.Null(unknown);
        Assert.Contains("task_id", noIds.GetProperty("error").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public async Task A_revoke_flags_the_ids_records_existing_rows_revoked_and_leaves_no_row_for_an_unknown_id(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = _clock });
        var control = new WorkerControl(store, new WorkerOptions { WorkerName = Worker, Clock = _clock }, () => [], NullLogger.Instance);
        await store.InsertAsync(new TaskRecord { TaskId = "queued", TaskName = "t", Status = TaskStates.Pending });

        var reply = Value(await control.HandleAsync(Asking(ControlCommand.Revoke(["queued", "unknown"]))));

        Assert.Equal("tasks queued, unknown flagged as revoked", reply.GetProperty("ok").GetString());
        Assert.True(control.IsRevoked("queued") && control.IsRevoked("unknown"));
        Assert.Equal(TaskStates.Revoked, (await store.GetAsync("queued"))!.Status);
        Assert.Null(await store.GetAsync("unknown"));
    }

    [Fact]
    public async Task A_terminate_of_a_task_this_worker_does_not_run_says_tasks_unknown_as_celery_does()
    {
        var reply = Value(await _control.HandleAsync(Asking(ControlCommand.Revoke(["nowhere"], terminate: true))));

        Assert.Equal("terminate: tasks unknown", reply.GetProperty("ok").GetString());
    }

    [Fact]
    public async Task A_worker_starting_reads_the_ids_revoked_within_three_hours_from_the_store()
    {
        await _store.InsertAsync(new TaskRecord { TaskId = "old", TaskName = "t", Status = TaskStates.Revoked });
        _clock.Advance(TimeSpan.FromHours(4));
        await _store.InsertAsync(new TaskRecord { TaskId = "recent", TaskName = "t", Status = TaskStates.Revoked });
        await _store.InsertAsync(new TaskRecord { TaskId = "done", TaskName = "t", Status = TaskStates.Success });

        await _control.LoadRevokedAsync(CancellationToken.None);

        Assert.Equal((false, true, false), (_control.IsRevoked("old"), _control.IsRevoked("recent"), _control.IsRevoked("done")));
    }

    [Fact]
    public void The_revoked_set_forgets_an_id_after_three_hours_and_keeps_at_most_fifty_thousand()
    {
        var revoked = new RevokedTasks(_clock);
        revoked.Add("first");
        _clock.Advance(RevokedTasks.Expiry - TimeSpan.FromSeconds(1));
        Assert.True(revoked.Contains("first"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(revoked.Contains("first"));

        for (var i = 0; i <= RevokedTasks.MaxCount; i++) revoked.Add($"id{i}");

        Assert.Equal(RevokedTasks.MaxCount, revoked.Count);
        Assert.False(revoked.Contains("id0"));
        Assert.True(revoked.Contains($"id{RevokedTasks.MaxCount}"));
    }

    private static ControlCommand Asking(ControlCommand command) =>
        command with { Ticket = "ticket", ReplyExchange = "reply.celery.pidbox", ReplyRoutingKey = "key" };

    private static JsonElement Value(byte[]? reply) =>
        JsonSerializer.Deserialize<JsonElement>(reply!).GetProperty(Worker);
}
