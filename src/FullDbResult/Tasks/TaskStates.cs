namespace FullDbResult.Tasks;

/// <summary>
/// Task states: Celery's, plus the two the scheduler adds. Any other string is a legal custom state
/// and counts as not terminal. The known states are matched whatever their case ("success" is SUCCESS)
/// wherever a caller names states (<see cref="Normalize(string)"/>); a custom state is kept exactly as given.
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

    /// <summary>
    /// Never stale, whatever a caller counts as finished: a REVOKED task was cancelled on purpose and a
    /// SCHEDULED_SENT row was sent under a new id, so offering either for retry would undo a decision or send
    /// twice. Such a task is retried only when asked for by its id.
    /// </summary>
    public static IReadOnlyList<string> NeverStale { get; } = [Revoked, ScheduledSent];

    public static bool IsTerminal(string status) => DefaultTerminal.Contains(Normalize(status));

    /// <summary>Every state this library knows, in the order a task usually goes through them.</summary>
    public static IReadOnlyList<string> All { get; } = [Scheduled, ScheduledSent, Pending, Received, Started, Retry, Success, Failure, Revoked, Rejected];

    /// <summary>
    /// A state as stored: a known state in its canonical upper case, whatever case it was given in; a custom
    /// state as given, since custom states are the application's own strings and compared exactly.
    /// </summary>
    public static string Normalize(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var trimmed = status.Trim();
        return All.FirstOrDefault(known => string.Equals(known, trimmed, StringComparison.OrdinalIgnoreCase)) ?? status;
    }

    /// <summary>Each state normalized, duplicates dropped; null stays null (the caller's default applies).</summary>
    public static IReadOnlyList<string>? Normalize(IEnumerable<string>? statuses) =>
        statuses?.Select(Normalize).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What the stale query counts as finished: <see cref="DefaultTerminal"/>, or the states a caller gives
    /// (in any case) together with <see cref="NeverStale"/>.
    /// </summary>
    public static IReadOnlyList<string> TerminalForStale(IEnumerable<string>? given) =>
        given is null ? DefaultTerminal : Normalize(given)!.Union(NeverStale).ToList();

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
