namespace FullDbResult.PowerShell;

/// <summary>
/// The base of New-PeriodicTask and Set-PeriodicTask: the parameters that define a periodic task, and the one
/// place that applies those given to a definition and checks it, so a bad cron expression is refused with
/// its reason before anything is written, -WhatIf included.
/// </summary>
public abstract class PeriodicTaskDefinitionCmdlet : StoreCmdlet
{
    /// <summary>A cron expression: five fields (minute to day of week), six with seconds first, or a macro such as @hourly.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cron { get; set; }

    /// <summary>The time zone of -Cron, an IANA or Windows id; UTC by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TimeZone { get; set; }

    /// <summary>A fixed interval between runs, in whole seconds, instead of a cron expression.</summary>
    [Parameter]
    public TimeSpan? Interval { get; set; }

    /// <summary>Positional arguments: values, or a JSON array as text (as Send-Task takes them).</summary>
    [Parameter]
    public object? Args { get; set; }

    /// <summary>Keyword arguments: a hashtable, or a JSON object as text.</summary>
    [Parameter]
    public object? Kwargs { get; set; }

    [Parameter]
    public string? Exchange { get; set; }

    [Parameter]
    public string? RoutingKey { get; set; }

    [Parameter]
    public string? Queue { get; set; }

    [Parameter]
    [ValidateRange(0, 255)]
    public int? Priority { get; set; }

    [Parameter]
    public string? Description { get; set; }

    /// <summary>The parameters of this base class that were given: what a change changes.</summary>
    protected IReadOnlyList<string> DefinitionParametersGiven =>
        [.. MyInvocation.BoundParameters.Keys.Where(name => typeof(PeriodicTaskDefinitionCmdlet).GetProperty(name)?.DeclaringType == typeof(PeriodicTaskDefinitionCmdlet))];

    /// <summary>
    /// Applies the parameters given (but the task name, each cmdlet's own) to <paramref name="task"/> and
    /// checks its schedule as the store will.
    /// A cron expression replaces an interval and the other way round. Throws <see cref="ArgumentException"/>
    /// naming the problem.
    /// </summary>
    protected void Apply(PeriodicTask task)
    {
        var given = MyInvocation.BoundParameters;
        if (given.ContainsKey(nameof(Cron)))
        {
            task.CronExpression = Cron;
            if (!given.ContainsKey(nameof(Interval))) task.IntervalSeconds = null;
        }
        if (given.ContainsKey(nameof(TimeZone))) task.TimeZone = TimeZone;
        if (given.ContainsKey(nameof(Interval)))
        {
            task.IntervalSeconds = WholeSeconds(Interval);
            if (!given.ContainsKey(nameof(Cron))) (task.CronExpression, task.TimeZone) = (null, null);
        }
        if (given.ContainsKey(nameof(Args))) task.Args = TaskArgumentsJson.Args(Args) ?? "[]";
        if (given.ContainsKey(nameof(Kwargs))) task.Kwargs = TaskArgumentsJson.Kwargs(Kwargs) ?? "{}";
        if (given.ContainsKey(nameof(Exchange))) task.Exchange = Exchange;
        if (given.ContainsKey(nameof(RoutingKey))) task.RoutingKey = RoutingKey;
        if (given.ContainsKey(nameof(Queue))) task.Queue = Queue;
        if (given.ContainsKey(nameof(Priority))) task.Priority = Priority;
        if (given.ContainsKey(nameof(Description))) task.Description = Description;
        PeriodicSchedule.For(task);
    }

    /// <summary>An invalid definition: the schedule's own error id when the schedule is what is wrong.</summary>
    protected static ErrorRecord InvalidDefinition(ArgumentException exception, string name)
    {
        var id = exception.ParamName switch
        {
            // With an inner exception the expression did not parse; without, the schedule lacks or doubles one.
            nameof(PeriodicTask.CronExpression) => exception.InnerException is null ? "InvalidSchedule" : "InvalidCronExpression",
            nameof(PeriodicTask.TimeZone) => "InvalidTimeZone",
            nameof(PeriodicTask.IntervalSeconds) => "InvalidInterval",
            _ => "InvalidPeriodicTask",
        };
        return new ErrorRecord(exception, id, ErrorCategory.InvalidArgument, name);
    }

    private static long? WholeSeconds(TimeSpan? interval)
    {
        if (interval is not { } value) return null;
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException($"The interval {value} is not a whole number of seconds.", nameof(PeriodicTask.IntervalSeconds));
        return (long)value.TotalSeconds;
    }
}
