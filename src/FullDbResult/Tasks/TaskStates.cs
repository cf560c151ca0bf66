namespace FullDbResult.Tasks;

/// <summary>
/// Task states: Celery's, plus the two the scheduler adds. Any other string is a legal custom state
/// and counts as not terminal.
/// </summary>
public static class TaskStates
{
    public const string Pending = "PENDING";
    public const string Received = "RECEIVED";
    public const string Started = "STARTED";
    public const string Retry = "RETRY";
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
    public const string Revoked = "REVOKED";
    public const string Rejected = "REJECTED";
    /// <summary>Due later; kept in the database instead of the broker until the dispatcher sends it.</summary>
    public const string Scheduled = "SCHEDULED";
    /// <summary>The dispatcher sent it under a new id (recorded in RetriedAs).</summary>
    public const string ScheduledSent = "SCHEDULED_SENT";

    /// <summary>States a task never leaves on its own; what "stale" and "purge" count as done.</summary>
    public static IReadOnlyList<string> DefaultTerminal { get; } = [Success, Failure, Revoked, ScheduledSent];

    /// <summary>Celery's READY_STATES: an outcome has been stored.</summary>
    public static IReadOnlyList<string> Ready { get; } = [Success, Failure, Revoked];

    public static bool IsTerminal(string status) => DefaultTerminal.Contains(status);

    // Celery's celery.states.PRECEDENCE, highest first; unknown (custom) states rank where None does.
    private static readonly string?[] Precedence =
        [Success, Failure, null, Revoked, Started, Received, Rejected, Retry, Pending];

    /// <summary>Celery's precedence rank: lower is stronger.</summary>
    public static int Rank(string status)
    {
        var index = Array.IndexOf(Precedence, status);
        return index >= 0 ? index : Array.IndexOf(Precedence, null);
    }

    /// <summary>
    /// The current states that a change to <paramref name="newStatus"/> must not overwrite: an outcome
    /// (SUCCESS, FAILURE, REVOKED) is only replaced by a stronger outcome, so a late STARTED never
    /// overwrites SUCCESS; SCHEDULED_SENT is final for the scheduled row.
    /// </summary>
    public static IReadOnlyList<string> ProtectedFrom(string newStatus)
    {
        var rank = Rank(newStatus);
        var blocked = Ready.Where(ready => Rank(ready) <= rank).ToList();
        blocked.Add(ScheduledSent);
        return blocked;
    }
}
