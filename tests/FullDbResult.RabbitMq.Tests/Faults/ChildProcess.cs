using System.Diagnostics;
using System.Text;

namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>FullDbResult.FaultProcess, built beside the tests, as a process a test can kill with SIGKILL.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FullDbResult.FaultProcess.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new ChildProcess(Process.Start(start)!);
    }

    /// <summary>Waits until the output has a line equal to <paramref name="line"/>.</summary>
    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Split('\n').Any(l => l.TrimEnd() == line))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The fault process exited ({_process.ExitCode}) before '{line}':\n{Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The fault process did not print '{line}':\n{Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: no stop, no flush, no clean-up, as a crashed machine or the OOM killer does.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public void Dispose()
    {
        if (!_process.HasExited) KillHard();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
