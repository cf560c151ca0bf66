namespace FullDbResult.PowerShell;

/// <summary>What Initialize-TaskStore did to a store's schema.</summary>
public sealed class TaskStoreSchema
{
    internal TaskStoreSchema(string store, int? previousVersion, int? version, int stepsApplied)
    {
        Store = store;
        PreviousVersion = previousVersion;
        Version = version;
        StepsApplied = stepsApplied;
    }

    /// <summary>The store's connection string without its password.</summary>
    public string Store { get; }

    /// <summary>The version before; null when the database had no schema.</summary>
    public int? PreviousVersion { get; }

    public int? Version { get; }

    /// <summary>The migration steps this run applied; 0 when the schema was already current.</summary>
    public int StepsApplied { get; }

    /// <summary>What Connect-FullDbResult and Get-FullDbResultSession say of a store without the schema.</summary>
    internal static string MissingWarning(StoreConnection connection) =>
        $"There is no task store at {connection.Redacted} yet: commands that read will fail until Initialize-TaskStore creates it. "
        + "If this is not the store you meant, check the connection string.";
}
