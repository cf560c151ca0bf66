namespace FullDbResult.PowerShell;

/// <summary>
/// The parameters that name a task store, declared once for Connect-FullDbResult and every
/// <see cref="StoreCmdlet"/>: -ConnectionString, -Provider and -Credential (see <see cref="StoreResolver"/>);
/// and cancellation on Ctrl+C.
/// </summary>
public abstract class StoreConnectionCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The task store's connection string; wins over a session and the environment.</summary>
    // Virtual so that Connect-FullDbResult can take it as its first positional argument.
    [Parameter]
    [ValidateNotNullOrEmpty]
    public virtual string? ConnectionString { get; set; }

    /// <summary>The database behind -ConnectionString, when its keys do not tell.</summary>
    // A name, not the DatabaseProvider enum: PowerShell loads the cmdlet types before ModuleInitializer runs,
    // and a field of an enum from FullDbResult.dll would need that assembly already, so the import would fail.
    [Parameter]
    [ValidateSet(nameof(DatabaseProvider.Sqlite), nameof(DatabaseProvider.PostgreSql), nameof(DatabaseProvider.SqlServer))]
    public string? Provider { get; set; }

    /// <summary>The store's user name and password, kept out of the connection string (and out of any output).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Cancelled when the user stops the pipeline.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();
}
