using FullDbResult.Storage;

namespace FullDbResult.Hosting;

/// <summary>The "FullDbResult" configuration section: the database and the loops this host runs.</summary>
public sealed class FullDbResultOptions
{
    public const string SectionName = "FullDbResult";

    /// <summary>Empty: FULLDBRESULT_CONNECTION_STRING, else the embedded SQLite default, as for the cmdlets.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Inferred from the connection string when not given.</summary>
    public DatabaseProvider? Provider { get; set; }

    /// <summary>Create or upgrade the schema on first use.</summary>
    public bool AutoMigrate { get; set; } = true;

    public ScheduledDispatchHostOptions Dispatcher { get; set; } = new();

    public PeriodicSchedulerHostOptions PeriodicScheduler { get; set; } = new();

    /// <summary>The worker's broker when no RabbitMqConnection is registered; empty: FULLDBRESULT_BROKER_URL, else the local default.</summary>
    public string BrokerUrl { get; set; } = "";

    public WorkerHostOptions Worker { get; set; } = new();

    public EventMonitorHostOptions EventMonitor { get; set; } = new();
}

/// <summary>The "FullDbResult:Dispatcher" section.</summary>
public sealed class ScheduledDispatchHostOptions
{
    /// <summary>Lets one configuration turn the loop off on some machines without a code change.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The pause between passes; a pass sends everything due before it pauses.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 500;

    /// <summary>The most rows one pass sends; empty for all that are due.</summary>
    public int? Limit { get; set; }

    /// <summary>The longest pause after failed passes (the broker or the database down); empty for the default, a minute.</summary>
    public TimeSpan? MaxBackoff { get; set; }
}

/// <summary>The "FullDbResult:PeriodicScheduler" section.</summary>
public sealed class PeriodicSchedulerHostOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>How often the scheduler looks for due periodic tasks: the most a run can be late.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause after failed passes (the broker or the database down); empty for the default, a minute.</summary>
    public TimeSpan? MaxBackoff { get; set; }
}
