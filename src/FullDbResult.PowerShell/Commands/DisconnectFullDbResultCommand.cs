namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Forgets the current session: commands go back to the environment or the embedded store.
/// A session holds no open connection (each command takes a pooled one), so there is
/// nothing to close; sessions held in variables keep working with -Session.
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "FullDbResult")]
public sealed class DisconnectFullDbResultCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (CurrentSession.Get() is { } session) WriteVerbose($"Disconnected from {session}.");
        CurrentSession.Clear();
    }
}
