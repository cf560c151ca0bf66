using FullDbResult.RabbitMq;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Connects to a task store (and names a broker) for the commands that follow.
/// Checks that the store answers, makes the session current for this PowerShell
/// session and returns it. Commands use it unless given -ConnectionString or another -Session. Without
/// -ConnectionString, connects to the store named by FULLDBRESULT_CONNECTION_STRING, else to the embedded
/// SQLite store. Creates nothing: a store without the schema is connected with a warning.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "FullDbResult")]
[OutputType(typeof(FullDbResultSession))]
public sealed class ConnectFullDbResultCommand : StoreConnectionCmdlet
{
    /// <summary>The task store's connection string; the first positional argument.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public override string? ConnectionString { get; set; }

    /// <summary>The RabbitMQ URL, e.g. amqp://user:password@host:5672/vhost.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BrokerUrl { get; set; }

    /// <summary>The broker's user name and password, kept out of the URL (and out of any output).</summary>
    [Parameter]
    [Credential]
    public PSCredential? BrokerCredential { get; set; }

    protected override void EndProcessing()
    {
        ResolvedStore resolved;
        TaskStore store;
        try
        {
            resolved = StoreResolver.Resolve(ConnectionString, Provider, Credential, session: null, current: null);
            store = new TaskStore(resolved.Connection, new TaskStoreOptions { AutoMigrate = false });
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(StoreErrors.InvalidConnection(exception, StoreResolver.SourceOf(ConnectionString, Provider)));
            return;
        }
        WriteVerbose(resolved.Describe());

        var broker = ResolvedBroker.Given(BrokerUrl, BrokerCredential, "-BrokerUrl");
        // Checked now, not at the first send: a URL that cannot work should fail where it was typed.
        if (broker is not null && !broker.IsValid) ThrowTerminatingError(BrokerErrors.InvalidUrl(broker));

        int? schemaVersion = null;
        try
        {
            schemaVersion = store.GetSchemaVersionAsync(StopToken).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is TaskStoreException or OperationCanceledException or System.Data.Common.DbException)
        {
            ThrowTerminatingError(StoreErrors.FromStore(exception, resolved.Connection));
        }
        if (schemaVersion is null) WriteWarning(TaskStoreSchema.MissingWarning(resolved.Connection));

        var session = new FullDbResultSession(resolved.Connection, resolved.Source, broker, schemaVersion);
        CurrentSession.Set(session);
        WriteVerbose($"Connected: {session}.");
        WriteObject(session);
    }
}
