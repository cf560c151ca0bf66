using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Opens a runspace with the module imported by its manifest, as a user imports it.</summary>
public static class ModuleRunspace
{
    /// <summary>The manifest of the module folder that the build copies beside the tests.</summary>
    public static string BesideTests => Path.Combine(AppContext.BaseDirectory, "FullDbResult", "FullDbResult.psd1");

    /// <summary>A manifest path for a module folder or a manifest.</summary>
    public static string ManifestPath(string folderOrManifest) => Path.GetFullPath(
        Directory.Exists(folderOrManifest) ? Path.Combine(folderOrManifest, "FullDbResult.psd1") : folderOrManifest);

    /// <exception cref="RuntimeException">The module did not import; the error record says why.</exception>
    public static Runspace Open(PSHost host, string manifestPath)
    {
        // CreateDefault2: CreateDefault wants the console host's snap-ins and fails in a custom host.
        var state = InitialSessionState.CreateDefault2();
        // Windows defaults a hosted runspace to Restricted, which refuses every script; elsewhere setting
        // a policy throws.
        if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;

        var runspace = RunspaceFactory.CreateRunspace(host, state);
        runspace.Open();
        try
        {
            using var import = System.Management.Automation.PowerShell.Create(runspace);
            // PowerShell colours formatted output in any host but its own console host unless told not to.
            if (!host.UI.SupportsVirtualTerminal)
                import.AddScript("$PSStyle.OutputRendering = 'PlainText'").AddStatement();
            import.AddCommand("Import-Module").AddParameter("Name", manifestPath).AddParameter("ErrorAction", ActionPreference.Stop);
            import.Invoke();
            // A cmdlet type that cannot load is reported as an error record, not thrown, even with Stop.
            if (import.Streams.Error.FirstOrDefault() is { } error)
                throw new RuntimeException(error.ToString(), error.Exception, error);
            return runspace;
        }
        catch
        {
            runspace.Dispose();
            throw;
        }
    }
}
