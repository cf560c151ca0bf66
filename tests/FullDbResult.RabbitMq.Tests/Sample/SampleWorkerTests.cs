using System.Diagnostics;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Sample;

/// <summary>The sample worker as samples/README.md starts it: a separate process, told where the broker and store are.</summary>
public sealed class SampleWorkerTests
{
    [Fact]
    public async Task The_sample_worker_runs_its_demo_tasks_and_stops_gracefully_on_sigterm()
    {
        var database = Path.Combine(Path.GetTempPath(), $"fulldbresult-sample-{Guid.NewGuid():N}.db");
        var store = new TaskStore(new StoreConnection($"Data Source={database}", DatabaseProvider.Sqlite));
        await store.MigrateAsync();
        var queue = Broker.NewQueue("sample");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "FullDbResult.SampleWorker.dll"), "--queue", queue, "--store", $"Data Source={database}" })
            start.ArgumentList.Add(arg);
        start.Environment["FULLDBRESULT_BROKER_URL"] = Broker.Url;
        using var worker = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        worker.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await using var connection = Broker.Connect();
            await using var publisher = new RabbitMqTaskPublisher(connection);
            var client = new TaskClient(store, publisher);

            var add = await client.SendAsync("demo.add", "[2, 3]", sendOptions: new SendOptions { Queue = queue });
            var fail = await client.SendAsync("demo.fail", sendOptions: new SendOptions { Queue = queue });
            var sleep = await client.SendAsync("demo.sleep", "[0.2]", sendOptions: new SendOptions { Queue = queue });

            Assert.Equal("5", (await Eventually.StatusAsync(store, add, TaskStates.Success, TimeSpan.FromSeconds(60))).Result);
            Assert.Contains("InvalidOperationException", (await Eventually.StatusAsync(store, fail, TaskStates.Failure)).Result);
            Assert.Equal("0.2", (await Eventually.StatusAsync(store, sleep, TaskStates.Success)).Result);

            Process.Start("kill", ["-TERM", worker.Id.ToString()])!.WaitForExit();
            Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(30)), $"the sample worker did not stop on SIGTERM:\n{output}");
            Assert.NotNull((await new WorkerStore(store).GetWorkersAsync()).Single().StoppedAt);
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
        }
    }
}
