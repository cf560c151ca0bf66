namespace FullDbResult.Publishing;

/// <summary>The broker did not confirm some messages: they may not have been delivered.</summary>
public sealed class TaskPublishException : Exception
{
    public TaskPublishException(string message, IReadOnlyList<string> failedTaskIds, Exception? inner = null)
        : base(message, inner) => FailedTaskIds = failedTaskIds;

    /// <summary>The ids of the tasks whose messages were not confirmed.</summary>
    public IReadOnlyList<string> FailedTaskIds { get; }
}
