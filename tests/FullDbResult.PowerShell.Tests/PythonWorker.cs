using System.Reflection;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// A Celery 5.2 worker of control_app (control.sleep) on the test broker, started through the fixtures'
/// CeleryPython, which lives in the module's load context (see <see cref="TestStores"/>); disposing kills it.
/// </summary>
public sealed class PythonWorker : IDisposable
{
    private static readonly string AppDirectory = Path.Combine(AppContext.BaseDirectory, "python");
    private readonly dynamic _worker;

    public PythonWorker(string queue)
    {
        Queue = queue;
        var celery = ModuleHost.ModuleLoadContext.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "fixtures", "FullDbResult.Testing.dll"))
            .GetType("FullDbResult.Testing.CeleryPython", throwOnError: true)!;
        var environment = new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = TestStores.BrokerUrl };
        _worker = celery.GetMethod("StartWorker", BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, [AppDirectory, "control_app", new[] { queue }, new[] { "-c", "1" }, environment, null])!;
    }

    public string Queue { get; }

    /// <summary>Waits until the worker's log shows <paramref name="text"/>.</summary>
    public void WaitForOutput(string text) => _worker.WaitForOutput(text, TimeSpan.FromSeconds(30));

    /// <summary>A file path control.sleep marks with ".started" and ".finished".</summary>
    public static string NewMarker() => Path.Combine(ModuleHost.ScratchDirectory, $"marker-{Guid.NewGuid():N}");

    public static void WaitForFile(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} did not appear");
            Thread.Sleep(50);
        }
    }

    public void Dispose() => ((IDisposable)_worker).Dispose();
}
