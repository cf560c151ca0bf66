namespace FullDbResult.Dashboard;

/// <summary>Who may use the dashboard, and what its pages show.</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section the host binds: FullDbResult:Dashboard.</summary>
    public const string SectionName = "FullDbResult:Dashboard";

    /// <summary>
    /// True (the default): only requests from this machine are answered, and they may look and act, as
    /// Hangfire's dashboard does. False: every request must be authenticated (by <see cref="AuthenticationScheme"/>)
    /// and be in <see cref="ViewerRole"/> to look or <see cref="OperatorRole"/> to look and act.
    /// </summary>
    public bool LocalRequestsOnly { get; set; } = true;

    /// <summary>The scheme that authenticates requests; null for the application's default scheme.</summary>
    public string? AuthenticationScheme { get; set; }

    /// <summary>The role that may look but not act.</summary>
    public string ViewerRole { get; set; } = "FullDbResult.Viewer";

    /// <summary>The role that may look and act.</summary>
    public string OperatorRole { get; set; } = "FullDbResult.Operator";

    /// <summary>How long a non-terminal task goes unchanged before the overview calls it stale.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a dispatcher may hold a claim on a scheduled task before it is shown as stale.</summary>
    public TimeSpan StaleClaimAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The overview's window: counts by state and the per-minute chart cover this long.</summary>
    public TimeSpan OverviewWindow { get; set; } = TimeSpan.FromHours(3);

    /// <summary>Rows on a page of the task listing.</summary>
    public int PageSize { get; set; } = 50;
}
