using System.Diagnostics;
using System.Reflection;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Real pwsh, the PowerShell tool of the repository's .config/dotnet-tools.json, started as <c>dotnet pwsh</c>
/// from the repository root the way a user starts it after <c>dotnet tool restore</c>.
/// </summary>
public static class PwshProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The repository root: the folder of FullDbResult.sln and .config/dotnet-tools.json.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Pester's manifest, restored by the PackageDownload of this project.</summary>
    public static string PesterManifest { get; } = typeof(PwshProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "PesterManifest").Value!;

    /// <summary>Runs <c>pwsh -NoProfile -NonInteractive</c> with <paramref name="arguments"/> (e.g. -Command and a script).</summary>
    public static PwshResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive" }.Concat(arguments)) start.ArgumentList.Add(argument);
        // dotnet test sets MSBuild's variables for its own build; a build.ps1 run from here must find its own SDK.
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        // Tests never touch the developer's own store, nor follow a store or broker named in their environment.
        start.Environment.Remove("FULLDBRESULT_CONNECTION_STRING");
        start.Environment.Remove("FULLDBRESULT_PROVIDER");
        start.Environment.Remove("FULLDBRESULT_BROKER_URL");
        start.Environment["FULLDBRESULT_HOME"] = Directory.CreateDirectory(Path.Combine(ModuleHost.ScratchDirectory, $"pwsh-home-{Guid.NewGuid():N}")).FullName;
        // Plain text, as in a log file or a cron mail; no update check or telemetry from a test run.
        start.Environment["NO_COLOR"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pwsh did not finish within {Timeout}: {string.Join(' ', start.ArgumentList)}");
        }
        return new PwshResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs a script as <c>pwsh -Command</c>, as a cron job or a CI step would.</summary>
    public static PwshResult Command(string script, IReadOnlyDictionary<string, string?>? environment = null) =>
        Run(["-Command", script], environment);

    /// <summary>A PowerShell single-quoted string literal of <paramref name="value"/>.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "FullDbResult.sln"))) directory = directory.Parent!;
        return directory.FullName;
    }
}
