using System.Management.Automation;

namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Shows the task store that commands use now, and where it was named.
/// Resolves the store as every command does: -ConnectionString, then -Session,
/// then the session from Connect-FullDbResult, then FULLDBRESULT_CONNECTION_STRING, then the embedded
/// SQLite store. Returns that session, or a new one that is not made current.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FullDbResultSession")]
[OutputType(typeof(FullDbResultSession))]
public sealed class GetFullDbResultSessionCommand : StoreCmdlet
{
    protected override void EndProcessing()
    {
        var resolved = Resolved;
        WriteObject(resolved.Session ?? new FullDbResultSession(
            resolved.Store, resolved.Source, brokerUrl: null, Await(resolved.Store.GetSchemaVersionAsync)));
    }
}
