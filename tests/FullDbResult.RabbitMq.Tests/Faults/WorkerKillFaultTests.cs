using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>The worker process killed with SIGKILL in the middle of its tasks, again and again (issue 11, fault tests).</summary>
public sealed class WorkerKillFaultTests(ITestOutputHelper output)
{
    // The most a killed worker can leave to run twice: the messages it held (the prefetch for concurrency 4).
    private const int HeldPerWorker = 32;

    [Fact]
    public async Task Every_task_ends_success_when_the_worker_process_is_killed_mid_task_several_times()
    {
        var (tasks, kills) = (FaultScale.Of(200), 3);
        var connectionString = PostgresServer.Shared.CreateDatabase("fault_kill");
        var store = new TaskStore(new StoreConnection(connectionString, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var queue = Broker.NewQueue("fault-kill");
        var runsFile = Path.Combine(Path.GetTempPath(), $"fulldbresult-fault-runs-{Guid.NewGuid():N}.txt");
        File.WriteAllText(runsFile, "");
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var ids = await new TaskClient(store, publisher).SendManyAsync(
            [.. Enumerable.Range(0, tasks).Select(_ => new TaskSend("fault.work", Options: new SendOptions { Queue = queue }))]);

        string[] Runs() => File.ReadAllLines(runsFile).Where(line => line.Length > 0).ToArray();
        for (var kill = 1; kill <= kills; kill++)
        {
            using var worker = ChildProcess.Start("worker", Broker.Url, connectionString, queue, runsFile, "50");
            await worker.WaitForLineAsync("ready", TimeSpan.FromSeconds(30));
            // Killed once it has run a further share of the backlog, so every kill lands among running tasks.
            var target = Runs().Length + tasks / (kills + 2);
            await Eventually.WaitAsync(() => Task.FromResult(Runs().Length >= target), $"worker {kill} to run {target} tasks", FaultScale.Seconds(40));
            worker.KillHard();
        }

        using (var last = ChildProcess.Start("worker", Broker.Url, connectionString, queue, runsFile, "50"))
        {
            await Eventually.WaitAsync(async () => await CountSuccessAsync(store, ids) == tasks, "every task to succeed", FaultScale.Seconds(60));
        }

        var runs = Runs();
        var executed = runs.Distinct().Count();
        var figures = new FaultFigures(tasks, executed, runs.Length - executed, tasks - await CountSuccessAsync(store, ids), Reported: 0);
        figures.Print(output, "worker SIGKILL", $"{kills} kills, {runs.Length} runs");
        Assert.Equal(tasks, figures.Executed);
        Assert.Equal(0, figures.Lost);
        Assert.InRange(figures.Duplicated, 0, kills * HeldPerWorker);
        Assert.All(runs, id => Assert.Contains(id, ids));
    }

    private static async Task<int> CountSuccessAsync(TaskStore store, IReadOnlyList<string> ids)
    {
        var success = 0;
        foreach (var id in ids)
        {
            if ((await store.GetAsync(id))?.Status == TaskStates.Success) success++;
        }

        return success;
    }
}
