using System.Diagnostics;

namespace FullDbResult.Testing;

/// <summary>Runs a program to completion with a time limit, capturing its output.</summary>
internal static class ExternalCommand
{
    public static ProcessResult Run(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        using var process = new Process { StartInfo = CreateStartInfo(fileName, arguments, environment, workingDirectory) };
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException(
                $"{Describe(process.StartInfo)} did not finish within {timeout.TotalSeconds:0} s.\n" +
                $"--- stdout ---\n{Finished(stdout)}\n--- stderr ---\n{Finished(stderr)}");
        }

        // A daemon the command started may keep the pipes open: don't wait for end of stream forever.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(5));
        return new ProcessResult(process.ExitCode, Finished(stdout), Finished(stderr));
    }

    /// <summary>Runs the command and throws with its output unless it exits with 0.</summary>
    public static ProcessResult RunChecked(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        var result = Run(fileName, args, timeout, environment, workingDirectory);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} failed: {result}");
        }

        return result;
    }

    public static ProcessStartInfo CreateStartInfo(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    private static string Describe(ProcessStartInfo startInfo) =>
        $"{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}";

    private static string Finished(Task<string> read) => read.IsCompletedSuccessfully ? read.Result : "";
}
