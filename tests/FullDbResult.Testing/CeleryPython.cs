namespace FullDbResult.Testing;

/// <summary>
/// Debian's Python with Celery 5.2, for interop tests. Always /usr/bin/python3: the python3 on PATH may be
/// another interpreter without Debian's packages.
/// </summary>
public static class CeleryPython
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string?> MissingCelery = new(() => FindMissingCelery(Interpreter));

    /// <summary>Runs <c>python3 -m celery ARGS</c> to completion.</summary>
    public static ProcessResult RunCelery(
        IEnumerable<string> args,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        ThrowIfCeleryMissing();
        return ExternalCommand.Run(
            Interpreter, ["-m", "celery", .. args], timeout ?? DefaultTimeout, PythonEnvironment(environment), workingDirectory);
    }

    /// <summary>Runs a Python script to completion, in the script's directory.</summary>
    public static ProcessResult RunScript(
        string scriptPath,
        IEnumerable<string>? args = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        ThrowIfCeleryMissing();
        var script = Path.GetFullPath(scriptPath);
        return ExternalCommand.Run(
            Interpreter, [script, .. args ?? []], timeout ?? DefaultTimeout, PythonEnvironment(environment), Path.GetDirectoryName(script));
    }

    /// <summary>
    /// Starts <c>celery -A appModule worker -Q queues</c> in <paramref name="appModuleDir"/> and returns once it
    /// reports ready. The app module names its broker, or takes it from CELERY_BROKER_URL in
    /// <paramref name="environment"/>. Disposing the handle kills the worker and its pool processes.
    /// </summary>
    public static CeleryWorker StartWorker(
        string appModuleDir,
        string appModule,
        IEnumerable<string> queues,
        IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? readyTimeout = null)
    {
        ThrowIfCeleryMissing();
        var directory = Path.GetFullPath(appModuleDir);
        var args = new List<string>
        {
            "-m", "celery", "-A", appModule, "worker",
            "--loglevel", "INFO",
            "-Q", string.Join(',', queues),
            "-n", $"fdbr{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}@%h",
            // Mingle and gossip talk to other workers on the broker: slower start, and tests meant to be apart.
            "--without-mingle", "--without-gossip",
        };
        args.AddRange(extraArgs ?? []);
        // setsid: the worker and its pool processes form one process group, which the clean-up after
        // the test process ends can kill whole.
        var worker = new CeleryWorker(
            ExternalCommand.CreateStartInfo("/usr/bin/setsid", [Interpreter, .. args], PythonEnvironment(environment), directory));
        try
        {
            worker.WaitUntilReady(readyTimeout ?? DefaultTimeout);
        }
        catch
        {
            worker.Dispose();
            throw;
        }

        return worker;
    }

    /// <summary>What keeps <paramref name="interpreter"/> from importing celery, or null if it can.</summary>
    internal static string? FindMissingCelery(string interpreter)
    {
        if (!File.Exists(interpreter))
        {
            return interpreter;
        }

        var import = ExternalCommand.Run(interpreter, ["-c", "import celery"], DefaultTimeout);
        return import.Succeeded ? null : $"celery for {interpreter}: {import.StandardError.Trim()}";
    }

    private static void ThrowIfCeleryMissing()
    {
        if (MissingCelery.Value is { } missing)
        {
            throw new ServiceNotInstalledException(missing);
        }
    }

    private static Dictionary<string, string?> PythonEnvironment(IReadOnlyDictionary<string, string?>? extra)
    {
        var environment = new Dictionary<string, string?>
        {
            // Output reaches the test as it happens, and no __pycache__ lands beside test files.
            ["PYTHONUNBUFFERED"] = "1",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }
}
