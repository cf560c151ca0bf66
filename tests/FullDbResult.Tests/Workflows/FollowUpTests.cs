using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Workflows;

/// <summary>
/// What our worker sends after a task of a workflow finishes, against what Celery 5.2's worker sent for the
/// same message (vectors/workflows): callbacks, errbacks and the next chain step, each tracked with a row.
/// </summary>
public sealed class FollowUpTests
{
    [Fact]
    public async Task After_success_a_callback_is_sent_as_celery_sends_it_with_the_result_prepended_and_the_task_as_parent()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        // Celery's producer message: add(2, 3) linked to add(10), errback fail.si(0).
        var settled = await worker.RunAsync(WorkflowVector.Delivered("link_producer"));

        Assert.Equal(("ack", TaskStates.Success), (settled.Action, settled.RowAtSettle?.Status));
        var callback = Assert.Single(worker.Publisher.Sent).Message;
        // What Celery's worker sent for add(2, 3) linked to add(10): args [5, 10], parent and root the task.
        var celery = WorkflowVector.Body("link_callback_from_worker");
        Assert.Equal(celery[0].GetRawText(), callback.Args);
        Assert.Equal(("wf.add", "link-producer", "link-producer", "capture"), (callback.Name, callback.ParentId, callback.RootId, callback.RoutingKey));
        Assert.Null(callback.Callbacks);
        var row = await worker.Store.GetAsync(callback.Id);
        Assert.Equal((TaskStates.Pending, "[5, 10]", "link-producer", "link-producer"), (row?.Status, row?.Args, row?.ParentId, row?.RootId));
    }

    [Fact]
    public async Task After_failure_each_errback_is_sent_with_the_failed_task_id_prepended_and_no_callback_is()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        var errback = """[{"task": "wf.elsewhere", "args": [100], "kwargs": {}, "options": {"queue": "capture"}, "subtask_type": null, "immutable": false}]""";
        var callback = """[{"task": "wf.add", "args": [1], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]""";
        var failing = new TaskMessage { Id = "errback-worker-parent", Name = "wf.fail", Args = "[7]", Errbacks = errback, Callbacks = callback, RootId = "the-root" };

        var settled = await worker.RunAsync(failing);

        Assert.Equal(TaskStates.Failure, settled.RowAtSettle?.Status);
        var sent = Assert.Single(worker.Publisher.Sent).Message;
        // Celery's worker sent the same errback as ["errback-worker-parent", 100].
        Assert.Equal(WorkflowVector.Body("link_error_from_worker")[0].GetRawText(), sent.Args);
        Assert.Equal(("wf.elsewhere", "errback-worker-parent", "the-root"), (sent.Name, sent.ParentId, sent.RootId));
        Assert.Equal(TaskStates.Pending, (await worker.Store.GetAsync(sent.Id))?.Status);
    }

    [Fact]
    public async Task A_chain_step_sends_the_next_step_popped_from_the_end_with_the_rest_of_the_chain()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        // chain(add(1, 2), add(3), add(4)) as Celery's producer sent it.
        var first = WorkflowVector.Delivered("chain_producer");

        await worker.RunAsync(first);

        var next = Assert.Single(worker.Publisher.Sent).Message;
        var firstId = WorkflowVector.Header("chain_producer", "id");
        // Celery's worker, for the same kind of chain, sent add(3, 3) with the rest: [add(4)].
        var celery = WorkflowVector.Body("chain_next_from_worker");
        Assert.Equal(celery[0].GetRawText(), next.Args);
        var producerChain = WorkflowVector.Body("chain_producer")[2].GetProperty("chain");
        Assert.Equal(producerChain[1].GetProperty("options").GetProperty("task_id").GetString(), next.Id);
        Assert.Equal((firstId, firstId), (next.ParentId, next.RootId));
        using var rest = JsonDocument.Parse(next.Chain!);
        var only = Assert.Single(rest.RootElement.EnumerateArray());
        Assert.Equal(("wf.add", "[4]", "chain-first"), (only.GetProperty("task").GetString(), only.GetProperty("args").GetRawText(), only.GetProperty("options").GetProperty("task_id").GetString()));

        // The last step: no chain left, nothing more to send.
        worker.Publisher.Sent.Clear();
        await worker.RunAsync(next with { Chain = rest.RootElement.GetRawText() });
        var last = Assert.Single(worker.Publisher.Sent).Message;
        Assert.Equal(("chain-first", "[6, 4]", next.Id, firstId, (string?)null), (last.Id, last.Args, last.ParentId, last.RootId, last.Chain));
        worker.Publisher.Sent.Clear();
        await worker.RunAsync(last);
        Assert.Empty(worker.Publisher.Sent);
        Assert.Equal((TaskStates.Success, "10"), ((await worker.Store.GetAsync("chain-first"))?.Status, (await worker.Store.GetAsync("chain-first"))?.Result));
    }

    [Fact]
    public async Task An_immutable_callback_gets_no_result_and_an_unsendable_one_is_noted_on_a_task_that_still_succeeds()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        var immutable = """[{"task": "wf.add", "args": [1, 1], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": true}]""";
        await worker.RunAsync(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.add", Args = "[2, 3]", Callbacks = immutable });
        Assert.Equal("[1, 1]", Assert.Single(worker.Publisher.Sent).Message.Args);

        worker.Publisher.Sent.Clear();
        var group = """[{"task": "celery.group", "args": [], "kwargs": {"tasks": []}, "options": {}, "subtask_type": "group", "immutable": false}]""";
        var settled = await worker.RunAsync(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.add", Args = "[2, 3]", Callbacks = group });
        Assert.Equal(("ack", TaskStates.Success, "5"), (settled.Action, settled.RowAtSettle?.Status, settled.RowAtSettle?.Result));
        Assert.Contains("workflow_error", settled.RowAtSettle?.Meta);
        Assert.Contains("group signature", settled.RowAtSettle?.Meta);
        Assert.Empty(worker.Publisher.Sent);
    }

    [Fact]
    public async Task A_follow_up_the_broker_refuses_stays_pending_with_the_publish_error_and_the_task_is_still_acked()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        worker.Publisher.Unconfirmed = messages => messages.Select(m => m.Id).ToList();
        var callback = """[{"task": "wf.add", "args": [10], "kwargs": {}, "options": {"task_id": "refused-callback"}, "subtask_type": null, "immutable": false}]""";

        var settled = await worker.RunAsync(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.add", Args = "[2, 3]", Callbacks = callback });

        Assert.Equal(("ack", TaskStates.Success), (settled.Action, settled.RowAtSettle?.Status));
        var row = await worker.Store.GetAsync("refused-callback");
        Assert.Equal(TaskStates.Pending, row?.Status);
        Assert.Contains("publish_error", row?.Meta);
    }
}
