using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.Tests.Fixtures;

public class CeleryPythonTests
{
    private static readonly string AppDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "python");

    [Fact]
    public void SystemPythonRunsCelery52()
    {
        var version = CeleryPython.RunCelery(["--version"]);

        Assert.True(version.Succeeded, version.ToString());
        Assert.StartsWith("5.2.", version.StandardOutput);
    }

    [Fact]
    public void StartedWorkerRunsATaskSentByAPythonScript()
    {
        var queue = $"fixture-celery-{Guid.NewGuid():N}";
        var broker = new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = RabbitMqServer.Shared.AmqpUri.ToString() };
        using var worker = CeleryPython.StartWorker(AppDirectory, "fixture_app", [queue], ["--pool", "solo"], broker);

        var sent = CeleryPython.RunScript(Path.Combine(AppDirectory, "send_add.py"), [queue], broker);

        Assert.True(sent.Succeeded, $"{sent}\n--- worker ---\n{worker.Output}");
        Assert.Equal("5", sent.StandardOutput.Trim());
    }

    [Fact]
    public void WorkerDisposeKillsTheWorker()
    {
        var broker = new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = RabbitMqServer.Shared.AmqpUri.ToString() };
        var worker = CeleryPython.StartWorker(AppDirectory, "fixture_app", [$"fixture-kill-{Guid.NewGuid():N}"], environment: broker);
        var pid = worker.ProcessId;

        worker.Dispose();

        Assert.False(Directory.Exists($"/proc/{pid}"));
    }
}
