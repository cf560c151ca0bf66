using System.Data.Common;

namespace FullDbResult.Scheduling;

/// <summary>
/// Publishes tasks whose PENDING rows are already written, with one confirm wait, and notes on the rows of
/// those the broker did not confirm why (as TaskClient does, so operators see one shape).
/// </summary>
internal static class ConfirmedPublish
{
    /// <summary>
    /// Not cancellable: the rows are written, so stopping now would only leave them unsent. Returns the ids
    /// that were not confirmed, and why.
    /// </summary>
    public static async Task<(IReadOnlyList<string> Failed, string? Error)> PublishAsync(
        ITaskPublisher publisher, TaskStore store, IReadOnlyList<TaskRecord> recorded, ILogger logger)
    {
        if (recorded.Count == 0) return ([], null);
        IReadOnlyList<string> failed;
        string error;
        try
        {
            await publisher.PublishAsync(recorded.Select(TaskMessages.ToMessage).ToList(), CancellationToken.None);
            return ([], null);
        }
        catch (TaskPublishException ex)
        {
            var ours = recorded.Select(r => r.TaskId).ToHashSet();
            failed = ex.FailedTaskIds.Where(ours.Contains).ToList();
            error = ex.Message;
        }
        catch (Exception ex)
        {
            failed = recorded.Select(r => r.TaskId).ToList();
            error = $"{ex.GetType().Name}: {ex.Message}";
        }
        // The one place an operator learns which tasks need attention: every id, and the rows say the same.
        logger.LogError("The broker did not confirm {Count} tasks: {Error} Their PENDING rows carry this publish error; Get-StaleTask reports them: {TaskIds}",
            failed.Count, error, string.Join(", ", failed));
        await RecordErrorAsync(store, failed, error, logger);
        return (failed, error);
    }

    // Best effort: the rows are reported stale whether or not the note is written; it only says why.
    private static async Task RecordErrorAsync(TaskStore store, IReadOnlyList<string> taskIds, string error, ILogger logger)
    {
        try
        {
            await TaskClient.RecordPublishErrorAsync(store, taskIds, error);
        }
        catch (Exception ex) when (ex is TaskStoreException or DbException)
        {
            logger.LogWarning(ex, "Could not record the publish error on {Count} tasks", taskIds.Count);
        }
    }
}
