using System.Management.Automation;
using FullDbResult.Storage;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Connects to a task store (and names a broker) for the commands that follow.
/// Checks that the store answers, makes the session current for this PowerShell
/// session and returns it. Commands use it unless given -ConnectionString or another -Session. Without
/// -ConnectionString, connects to the store named by FULLDBRESULT_CONNECTION_STRING, else to the embedded
/// SQLite store.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "FullDbResult")]
[OutputType(typeof(FullDbResultSession))]
public sealed class ConnectFullDbResultCommand : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>The database behind -ConnectionString, when its keys do not tell.</summary>
    // A name, not the enum: see StoreCmdlet.Provider.
    [Parameter]
    [ValidateSet(nameof(DatabaseProvider.Sqlite), nameof(DatabaseProvider.PostgreSql), nameof(DatabaseProvider.SqlServer))]
    public string? Provider { get; set; }

    /// <summary>The RabbitMQ URL, e.g. amqp://user:password@host:5672/vhost.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BrokerUrl { get; set; }

    protected override void EndProcessing()
    {
        ResolvedStore resolved;
        try
        {
            resolved = StoreResolver.Resolve(ConnectionString, Provider, session: null, current: null);
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(StoreErrors.InvalidConnection(exception));
            return;
        }
        WriteVerbose(resolved.Describe());

        int? schemaVersion;
        try
        {
            schemaVersion = resolved.Store.GetSchemaVersionAsync(_stopping.Token).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is TaskStoreException or OperationCanceledException)
        {
            ThrowTerminatingError(StoreErrors.FromStore(exception, resolved.Store));
            return;
        }

        var session = new FullDbResultSession(resolved.Store, resolved.Source, BrokerUrl, schemaVersion);
        CurrentSession.Set(session);
        WriteVerbose($"Connected: {session}.");
        WriteObject(session);
    }

    protected override void StopProcessing() => _stopping.Cancel();
}
