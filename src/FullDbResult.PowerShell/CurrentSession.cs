using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace FullDbResult.PowerShell;

/// <summary>
/// The session Connect-FullDbResult made current, one per runspace: two runspaces in one process (hosted
/// PowerShell, ForEach-Object -Parallel) never share it, and it goes away with its runspace.
/// </summary>
internal static class CurrentSession
{
    private static readonly ConditionalWeakTable<Runspace, FullDbResultSession> Sessions = new();

    public static FullDbResultSession? Get() =>
        Runspace.DefaultRunspace is { } runspace && Sessions.TryGetValue(runspace, out var session) ? session : null;

    public static void Set(FullDbResultSession session) => Sessions.AddOrUpdate(Runspace.DefaultRunspace, session);

    public static void Clear()
    {
        if (Runspace.DefaultRunspace is { } runspace) Sessions.Remove(runspace);
    }
}
