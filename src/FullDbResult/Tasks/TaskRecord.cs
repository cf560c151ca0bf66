namespace FullDbResult.Tasks;

/// <summary>
/// One task: enough to find it, understand it and send it again. Times are UTC.
/// </summary>
public class TaskRecord
{
    /// <summary>The store's surrogate key; also the tie-breaker of keyset paging.</summary>
    public long Id { get; set; }
    public string TaskId { get; set; } = "";
    public string TaskName { get; set; } = "";
    public string Status { get; set; } = TaskStates.Pending;
    /// <summary>Positional arguments as a JSON array.</summary>
    public string Args { get; set; } = "[]";
    /// <summary>Keyword arguments as a JSON object.</summary>
    public string Kwargs { get; set; } = "{}";
    /// <summary>The result as JSON, or for a failure the exception as JSON.</summary>
    public string? Result { get; set; }
    public string? Traceback { get; set; }
    public string? Exchange { get; set; }
    public string? RoutingKey { get; set; }
    public string? Queue { get; set; }
    public int? Priority { get; set; }
    public DateTime? Eta { get; set; }
    public DateTime? Expires { get; set; }
    public DateTime DateSubmitted { get; set; }
    public DateTime? DateStarted { get; set; }
    public DateTime? DateDone { get; set; }
    public DateTime DateUpdated { get; set; }
    /// <summary>The dispatcher's claim token on a SCHEDULED row.</summary>
    public string? ScheduledId { get; set; }
    public DateTime? ClaimedAt { get; set; }
    /// <summary>The name of the worker that ran it.</summary>
    public string? Worker { get; set; }
    public int Retries { get; set; }
    public string? RootId { get; set; }
    public string? ParentId { get; set; }
    public string? GroupId { get; set; }
    /// <summary>The task id this one re-sends.</summary>
    public string? RetriedFrom { get; set; }
    /// <summary>The id this task was re-sent as, by a retry or by the dispatcher.</summary>
    public string? RetriedAs { get; set; }
    /// <summary>JSON for the rest: children, exception type, publish errors.</summary>
    public string? Meta { get; set; }
    /// <summary>
    /// The positional arguments as a Python repr (Celery's saferepr, cut at 1024 characters), as Celery's events
    /// carry them; not JSON. Set only from events.
    /// </summary>
    public string? ArgsRepr { get; set; }
    /// <summary>The keyword arguments as a Python repr, as Celery's events carry them; not JSON.</summary>
    public string? KwargsRepr { get; set; }
    /// <summary>
    /// From Celery's events: the result's Python repr (task-succeeded), or the exception's
    /// (task-failed, task-retried); not JSON. <see cref="Result"/> holds JSON only.
    /// </summary>
    public string? ResultRepr { get; set; }

    public override string ToString() => $"{TaskName}[{TaskId}] {Status}";
}
