using FullDbResult.Protocol;

namespace FullDbResult.Publishing;

/// <summary>
/// Publishes messages whose rows are written and, when the broker does not confirm some, notes why on those
/// rows before the error goes on to the caller: the one publish step of every tracked send.
/// </summary>
internal static class TrackedPublish
{
    /// <param name="store">Where the rows are; null when publishing is not tracked (no rows to note).</param>
    public static async Task PublishAsync(ITaskPublisher publisher, TaskStore? store, IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return;
        try
        {
            await publisher.PublishAsync(messages, cancellationToken);
        }
        catch (TaskPublishException ex)
        {
            if (store is not null) await TaskClient.RecordPublishErrorAsync(store, ex.FailedTaskIds, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            if (store is not null) await TaskClient.RecordPublishErrorAsync(store, messages.Select(m => m.Id).ToList(), $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }
}
