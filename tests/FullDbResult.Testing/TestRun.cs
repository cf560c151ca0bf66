namespace FullDbResult.Testing;

/// <summary>
/// This test process's scratch directory, and the clean-up that runs after the process ends. A detached
/// watchdog does the clean-up, not AppDomain.ProcessExit: vstest kills the test host about 100 ms after
/// the last test, long before a server has stopped. The watchdog runs the registered commands in reverse
/// order once the process is gone, however it ended, then removes the directory.
/// </summary>
internal static class TestRun
{
    // Under /tmp, not $TMPDIR: a short path keeps PostgreSQL's socket path under its 107-byte limit,
    // and a fixed prefix names what a test run left behind.
    public const string RootPrefix = "/tmp/fulldbresult-test-";

    private static readonly Lazy<string> LazyRoot = new(CreateRoot);
    private static readonly List<CleanupStep> Steps = [];

    public static string Root => LazyRoot.Value;

    private static string CleanupScript => Path.Combine(Root, "cleanup.sh");

    /// <summary>A new, empty directory under the root: "pg", or "rabbitmq", then "rabbitmq-2" and so on.</summary>
    public static string NewDirectory(string name)
    {
        lock (Steps)
        {
            var path = Path.Combine(Root, name);
            for (var number = 2; Directory.Exists(path); number++)
            {
                path = Path.Combine(Root, $"{name}-{number}");
            }

            Directory.CreateDirectory(path);
            return path;
        }
    }

    /// <summary>
    /// Runs <paramref name="commands"/> (each a program and its arguments) one after the other once this
    /// process has ended. Dispose the result when the caller has cleaned up by itself.
    /// </summary>
    public static IDisposable AfterExit(params IEnumerable<string>[] commands)
    {
        var step = new CleanupStep(string.Join('\n', commands.Select(words => string.Join(' ', words.Select(QuoteForShell)))));
        lock (Steps)
        {
            Steps.Add(step);
            WriteCleanupScript();
        }

        return step;
    }

    private static string CreateRoot()
    {
        var root = $"{RootPrefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.CreateDirectory(root);
        var watchdog = Path.Combine(root, "watchdog.sh");
        File.WriteAllText(watchdog, $"""
            cd /
            while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 0.5; done
            sh {QuoteForShell(Path.Combine(root, "cleanup.sh"))}
            rm -rf {QuoteForShell(root)}

            """);
        File.WriteAllText(Path.Combine(root, "cleanup.sh"), "");
        // setsid -f: the watchdog leaves this process's session and outlives it; it holds none of its pipes.
        ExternalCommand.RunChecked(
            "/bin/sh",
            ["-c", "exec /usr/bin/setsid -f /bin/sh \"$0\" >/dev/null 2>&1 </dev/null", watchdog],
            TimeSpan.FromSeconds(30));
        return root;
    }

    private static void WriteCleanupScript()
    {
        // Written whole and renamed into place: the watchdog may read it the moment this process dies.
        var next = CleanupScript + ".next";
        File.WriteAllLines(next, Enumerable.Reverse(Steps).Select(step => step.Command));
        File.Move(next, CleanupScript, overwrite: true);
    }

    private static string QuoteForShell(string word) => $"'{word.Replace("'", "'\\''")}'";

    private sealed class CleanupStep(string command) : IDisposable
    {
        public string Command { get; } = command;

        public void Dispose()
        {
            lock (Steps)
            {
                if (Steps.Remove(this))
                {
                    WriteCleanupScript();
                }
            }
        }
    }
}
