namespace FullDbResult.PowerShell;

/// <summary>
/// The base of store cmdlets that take an age: -OlderThan as a TimeSpan, or -Days, -Hours or -Minutes as a
/// number, one of them at a time (each is its own parameter set).
/// </summary>
public abstract class AgeCmdlet : StoreCmdlet
{
    protected const string OlderThanSet = "OlderThan";
    private const string DaysSet = "Days";
    private const string HoursSet = "Hours";
    private const string MinutesSet = "Minutes";

    [Parameter(ParameterSetName = OlderThanSet)]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan? OlderThan { get; set; }

    [Parameter(ParameterSetName = DaysSet)]
    [ValidateAgeNumber(ValidateNonNegativeTimeSpanAttribute.MaximumDays)]
    public double Days { get; set; }

    [Parameter(ParameterSetName = HoursSet)]
    [ValidateAgeNumber(ValidateNonNegativeTimeSpanAttribute.MaximumDays * 24.0)]
    public double Hours { get; set; }

    [Parameter(ParameterSetName = MinutesSet)]
    [ValidateAgeNumber(ValidateNonNegativeTimeSpanAttribute.MaximumDays * 24.0 * 60)]
    public double Minutes { get; set; }

    /// <summary>The age given, whichever way; <paramref name="byDefault"/> when none was.</summary>
    protected TimeSpan AgeOr(TimeSpan byDefault)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Days))) return TimeSpan.FromDays(Days);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Hours))) return TimeSpan.FromHours(Hours);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Minutes))) return TimeSpan.FromMinutes(Minutes);
        return OlderThan ?? byDefault;
    }
}
