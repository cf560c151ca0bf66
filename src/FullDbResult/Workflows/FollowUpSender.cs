using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary>
/// Sends what a finished task's workflow asks for (<see cref="FollowUps"/>), tracked like any send: each
/// follow-up's PENDING row is written before the finished task's outcome, and the follow-ups are published
/// once the outcome has committed. A crash in between leaves PENDING rows that <c>Get-StaleTask</c> reports;
/// a failed publish is noted on them. The rows are upserts, so a task run again after a crash before its
/// outcome committed writes no second row for the ids its signatures fixed.
/// </summary>
internal sealed class FollowUpSender(TaskStore store, TaskStateWriter writer, ITaskPublisher publisher, TimeProvider clock, ILogger logger)
{
    /// <param name="storeOutcome">Writes the task's outcome, with a meta note (or null); true when it was applied.</param>
    public Task<bool> AfterSuccessAsync(TaskMessage message, string? resultJson, Func<string?, Task<bool>> storeOutcome) =>
        FollowUps.Any(message)
            ? SendAroundAsync(message, now => FollowUps.AfterSuccess(message, resultJson ?? "null", now), storeOutcome)
            : storeOutcome(null);

    public Task<bool> AfterFailureAsync(TaskMessage message, Func<string?, Task<bool>> storeOutcome) =>
        message.Errbacks is not null
            ? SendAroundAsync(message, now => FollowUps.AfterFailure(message, now), storeOutcome)
            : storeOutcome(null);

    private async Task<bool> SendAroundAsync(TaskMessage message, Func<DateTimeOffset, List<TaskMessage>> plan, Func<string?, Task<bool>> storeOutcome)
    {
        List<TaskMessage> sends;
        try
        {
            sends = plan(clock.GetUtcNow());
        }
        catch (WorkflowException ex)
        {
            logger.LogError("Task {TaskName}[{TaskId}]: its workflow cannot be followed and nothing of it was sent: {Error}", message.Name, message.Id, ex.Message);
            return await storeOutcome(TaskJson.Serialize(new Dictionary<string, string> { ["workflow_error"] = ex.Message }));
        }
        await Task.WhenAll(sends.Select(send => writer.ApplyAsync(Pending(send))));
        if (!await storeOutcome(null)) return false;
        try
        {
            await publisher.PublishAsync(sends);
        }
        catch (Exception ex)
        {
            var error = ex is TaskPublishException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogError("Task {TaskName}[{TaskId}]: its follow-ups were not published; their rows stay PENDING: {Error}", message.Name, message.Id, error);
            await TaskClient.RecordPublishErrorAsync(store, sends.Select(send => send.Id).ToList(), error);
        }
        return true;
    }

    private static TaskStateChange Pending(TaskMessage send)
    {
        var record = TaskMessages.ToRecord(send, TaskStates.Pending);
        return new TaskStateChange
        {
            TaskId = record.TaskId,
            TaskName = record.TaskName,
            Status = record.Status,
            Args = record.Args,
            Kwargs = record.Kwargs,
            Exchange = record.Exchange,
            RoutingKey = record.RoutingKey,
            Queue = record.Queue,
            Priority = record.Priority,
            Eta = record.Eta,
            Expires = record.Expires,
            Retries = record.Retries,
            RootId = record.RootId,
            ParentId = record.ParentId,
            GroupId = record.GroupId,
        };
    }
}
