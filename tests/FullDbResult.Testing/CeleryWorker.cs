using System.Diagnostics;
using System.Text;

namespace FullDbResult.Testing;

/// <summary>A running Celery worker started by <see cref="CeleryPython.StartWorker"/>; disposing kills it.</summary>
public sealed class CeleryWorker : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly IDisposable killAfterExit;
    private bool disposed;

    internal CeleryWorker(ProcessStartInfo startInfo)
    {
        process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        killAfterExit = TestRun.AfterExit(["kill", "-KILL", "--", $"-{process.Id}"]);
    }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Everything the worker wrote so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
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
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"The Celery worker exited with code {process.ExitCode} before writing \"{text}\":\n{Output}");
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
        lock (process)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
            killAfterExit.Dispose();
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

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
