namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Shows the task store that commands use now, and where it was named.
/// Resolves the store as every command does: -ConnectionString, then -Session,
/// then the session from Connect-FullDbResult, then FULLDBRESULT_CONNECTION_STRING, then the embedded
/// SQLite store. Returns that session, or a new one that is not made current. Creates nothing: a store
/// without a schema shows SchemaVersion empty, with a warning.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FullDbResultSession")]
[OutputType(typeof(FullDbResultSession))]
public sealed class GetFullDbResultSessionCommand : StoreCmdlet
{
    protected override void EndProcessing()
    {
        var resolved = Resolved;
        if (resolved.Session is { } session)
        {
            WriteObject(session);
            return;
        }
        var schemaVersion = Await(Store.GetSchemaVersionAsync);
        if (schemaVersion is null) WriteWarning(TaskStoreSchema.MissingWarning(resolved.Connection));
        WriteObject(new FullDbResultSession(resolved.Connection, resolved.Source, broker: null, schemaVersion));
    }
}
