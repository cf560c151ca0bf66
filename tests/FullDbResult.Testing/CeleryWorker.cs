using System.Diagnostics;
using System.Text;

namespace FullDbResult.Testing;

/// <summary>A running Celery worker started by <see cref="CeleryPython.StartWorker"/>; disposing kills it.</summary>
public sealed class CeleryWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly IDisposable _killAfterExit;
    private bool _disposed;

    internal CeleryWorker(ProcessStartInfo startInfo)
    {
        _process = new Process { StartInfo = startInfo };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _killAfterExit = TestRun.AfterExit(["kill", "-KILL", "--", $"-{_process.Id}"]);
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the worker wrote so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; throws with the output if the
    /// worker exits or the time runs out first.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The Celery worker exited with code {_process.ExitCode} before writing \"{text}\":\n{Output}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"The Celery worker did not write \"{text}\" within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the worker and its pool processes.</summary>
    public void Dispose()
    {
        lock (_process)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
            _killAfterExit.Dispose();
        }
    }

    // Celery logs "celery@host ready." once it consumes from its queues.
    internal void WaitUntilReady(TimeSpan timeout) => WaitForOutput(" ready.", timeout);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
