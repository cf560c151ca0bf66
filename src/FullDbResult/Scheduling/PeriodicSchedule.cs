using Cronos;

namespace FullDbResult.Scheduling;

/// <summary>
/// When a periodic task runs next. A run is due at the first cron occurrence, or the end of the interval,
/// after its last run (after it was added or changed, if it never ran).
/// Misfires: a scheduler that was down sends a task that missed several runs once, when it comes back,
/// and counts the next run from then: one run now, never a burst of the missed ones.
/// </summary>
public sealed class PeriodicSchedule
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan? _interval;

    private PeriodicSchedule(CronExpression? cron, TimeZoneInfo zone, TimeSpan? interval) =>
        (_cron, _zone, _interval) = (cron, zone, interval);

    /// <summary>
    /// The schedule of <paramref name="task"/>. Throws <see cref="ArgumentException"/> naming the problem when it
    /// has neither or both of a cron expression and an interval, an invalid cron expression, an unknown time
    /// zone, or an interval that is not positive.
    /// </summary>
    public static PeriodicSchedule For(PeriodicTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var hasCron = !string.IsNullOrWhiteSpace(task.CronExpression);
        if (hasCron == task.IntervalSeconds.HasValue)
            throw new ArgumentException(
                $"Periodic task '{task.Name}' needs either a cron expression or an interval, not {(hasCron ? "both" : "neither")}.",
                nameof(PeriodicTask.CronExpression));
        if (!hasCron)
        {
            if (!string.IsNullOrWhiteSpace(task.TimeZone))
                throw new ArgumentException($"Periodic task '{task.Name}': a time zone applies only to a cron expression.", nameof(PeriodicTask.TimeZone));
            if (task.IntervalSeconds <= 0)
                throw new ArgumentOutOfRangeException(nameof(PeriodicTask.IntervalSeconds), task.IntervalSeconds,
                    $"Periodic task '{task.Name}': the interval must be at least one second.");
            return new PeriodicSchedule(null, TimeZoneInfo.Utc, TimeSpan.FromSeconds(task.IntervalSeconds!.Value));
        }
        return new PeriodicSchedule(ParseCron(task.Name, task.CronExpression!), FindZone(task.Name, task.TimeZone), null);
    }

    /// <summary>When the task is due next, after a last run at <paramref name="lastRun"/>; null if the cron expression never fires again.</summary>
    public DateTime? NextRunAfter(DateTime lastRun)
    {
        var from = DateTime.SpecifyKind(lastRun, DateTimeKind.Utc);
        return _interval is { } every ? from + every : _cron!.GetNextOccurrence(from, _zone);
    }

    /// <summary>When <paramref name="task"/> is due next.</summary>
    public DateTime? NextRun(PeriodicTask task) => NextRunAfter(task.LastRunAt ?? task.DateChanged);

    private static CronExpression ParseCron(string name, string expression)
    {
        var trimmed = expression.Trim();
        var format = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return CronExpression.Parse(trimmed, format);
        }
        catch (CronFormatException ex)
        {
            throw new ArgumentException($"Periodic task '{name}': '{expression}' is not a valid cron expression: {ex.Message}", nameof(PeriodicTask.CronExpression), ex);
        }
    }

    private static TimeZoneInfo FindZone(string name, string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"Periodic task '{name}': '{id}' is not a known time zone.", nameof(PeriodicTask.TimeZone), ex);
        }
    }
}
