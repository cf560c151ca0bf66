using System.Diagnostics;
using FullDbResult.Storage;

namespace FullDbResult.Tests.Storage;

/// <summary>Runs FullDbResult.StoreProbe, built beside the tests, as a separate process.</summary>
public static class StoreProbe
{
    public static (int ExitCode, string Output) Run(string command, StoreConnection connection)
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "FullDbResult.StoreProbe.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { probe, command, connection.Provider.ToString(), connection.ConnectionString })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"StoreProbe {command} did not finish within a minute.");
        }
        return (process.ExitCode, output.Result + error.Result);
    }
}
