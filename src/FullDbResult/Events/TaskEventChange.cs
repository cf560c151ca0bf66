namespace FullDbResult.Events;

/// <summary>
/// What one task event writes into the task's row (<c>TaskStore.ApplyEventsAsync</c>): the state it stands for
/// and the fields it carries; null fields leave the stored values alone.
/// </summary>
internal sealed class TaskEventChange
{
    public required string TaskId { get; init; }
    public required string Status { get; init; }
    public string? TaskName { get; init; }
    public string? ArgsRepr { get; init; }
    public string? KwargsRepr { get; init; }
    /// <summary>The result's repr (task-succeeded) or the exception's (task-failed, task-retried).</summary>
    public string? ResultRepr { get; init; }
    public string? Traceback { get; init; }
    public string? Exchange { get; init; }
    public string? RoutingKey { get; init; }
    public string? Queue { get; init; }
    public DateTime? Eta { get; init; }
    public DateTime? Expires { get; init; }
    /// <summary>When a producer sent it (task-sent): the submit time of a row this event creates.</summary>
    public DateTime? SentAt { get; init; }
    public DateTime? DateStarted { get; init; }
    public DateTime? DateDone { get; init; }
    public string? Worker { get; init; }
    public int? Retries { get; init; }
    public string? RootId { get; init; }
    public string? ParentId { get; init; }
}
