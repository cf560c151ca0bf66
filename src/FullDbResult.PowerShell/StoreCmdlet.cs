using System.Management.Automation;
using FullDbResult.Storage;

namespace FullDbResult.PowerShell;

/// <summary>
/// The base of cmdlets that work on the task store: the -ConnectionString, -Provider and -Session
/// parameters, the store they resolve to (see <see cref="StoreResolver"/>), and cancellation on Ctrl+C.
/// </summary>
public abstract class StoreCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private ResolvedStore? _store;

    /// <summary>The task store's connection string; wins over a session and the environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>The database behind -ConnectionString, when its keys do not tell.</summary>
    // A name, not the DatabaseProvider enum: PowerShell loads the cmdlet types before ModuleInitializer runs,
    // and a field of an enum from FullDbResult.dll would need that assembly already, so the import would fail.
    [Parameter]
    [ValidateSet(nameof(DatabaseProvider.Sqlite), nameof(DatabaseProvider.PostgreSql), nameof(DatabaseProvider.SqlServer))]
    public string? Provider { get; set; }

    /// <summary>A session from Connect-FullDbResult, instead of the current one.</summary>
    [Parameter(ValueFromPipeline = true)]
    public FullDbResultSession? Session { get; set; }

    /// <summary>The task store, resolved on first use.</summary>
    protected TaskStore Store => Resolved.Store;

    private protected ResolvedStore Resolved => _store ??= ResolveStore();

    /// <summary>Cancelled when the user stops the pipeline.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs a store call to completion on the pipeline thread; Ctrl+C cancels it. A failure becomes a
    /// terminating error record: the store is the same for every input, so the next one would fail too.
    /// </summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> call)
    {
        try
        {
            return call(StopToken).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is TaskStoreException or OperationCanceledException)
        {
            ThrowTerminatingError(StoreErrors.FromStore(exception, Store));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    private ResolvedStore ResolveStore()
    {
        try
        {
            var resolved = StoreResolver.Resolve(ConnectionString, Provider, Session, CurrentSession.Get());
            WriteVerbose(resolved.Describe());
            return resolved;
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(StoreErrors.InvalidConnection(exception));
            throw; // not reached: ThrowTerminatingError throws
        }
    }
}
