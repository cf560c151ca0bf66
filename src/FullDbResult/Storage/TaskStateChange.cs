namespace FullDbResult.Storage;

/// <summary>
/// A worker's report about a task: a new status and what it learnt. Null fields leave the stored value
/// alone, except <see cref="Meta"/>. When the task is not stored yet (a producer that does not track publishes, such as Python Celery)
/// and <see cref="TaskName"/> is given, the row is created from this change.
/// </summary>
public sealed class TaskStateChange
{
    public required string TaskId { get; init; }
    public required string Status { get; init; }
    public string? TaskName { get; init; }
    public string? Args { get; init; }
    public string? Kwargs { get; init; }
    /// <summary>Stored (and an earlier one replaced) when the status carries an outcome: SUCCESS, FAILURE, REVOKED, RETRY, REJECTED.</summary>
    public string? Result { get; init; }
    public string? Traceback { get; init; }
    public string? Exchange { get; init; }
    public string? RoutingKey { get; init; }
    public string? Queue { get; init; }
    public int? Priority { get; init; }
    public DateTime? Eta { get; init; }
    public DateTime? Expires { get; init; }
    public DateTime? DateStarted { get; init; }
    public DateTime? DateDone { get; init; }
    public string? Worker { get; init; }
    public int? Retries { get; init; }
    public string? RootId { get; init; }
    public string? ParentId { get; init; }
    public string? GroupId { get; init; }
    /// <summary>
    /// Replaces the stored meta, null included: meta describes the state it came with, so a publish-error note
    /// goes once a worker reports on the task.
    /// </summary>
    public string? Meta { get; init; }

    internal bool CarriesOutcome => StatusCarriesOutcome(Status);

    /// <summary>The states whose change replaces a stored outcome (result, traceback).</summary>
    internal static bool StatusCarriesOutcome(string status) =>
        TaskStates.Ready.Contains(status) || status is TaskStates.Retry or TaskStates.Rejected;
}
