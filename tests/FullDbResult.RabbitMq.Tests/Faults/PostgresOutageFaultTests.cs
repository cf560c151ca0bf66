using System.Collections.Concurrent;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>PostgreSQL crashes (pg_ctl stop -m immediate) under a worker with a backlog, and comes back (issue 11, fault tests).</summary>
public sealed class PostgresOutageFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_postgres_crash_during_a_backlog_acknowledges_nothing_without_its_row_and_everything_completes()
    {
        var tasks = FaultScale.Of(400);
        // 20 s at full size, as the issue asks; 10 s in CI is still many times the worker's one-second pause
        // after a failed write, so every held message goes back to the queue and comes again while it lasts.
        var outage = TimeSpan.FromSeconds(FaultScale.Factor > 1 ? 20 : 10);
        var server = PostgresServer.StartNew();
        var store = new TaskStore(new StoreConnection(server.CreateDatabase("fault_pg"), DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var queue = Broker.NewQueue("fault-pg");
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var ids = await new TaskClient(store, publisher).SendManyAsync(
            [.. Enumerable.Range(0, tasks).Select(i => new TaskSend("fault.work", $"[{i}]", Options: new SendOptions { Queue = queue }))]);

        var runs = new ConcurrentDictionary<string, int>();
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("fault.work", async (TaskContext context, int i) =>
        {
            runs.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
            await Task.Delay(50);
            return i;
        }), queue, new TaskWorkerOptions { Concurrency = 4 });

        await Eventually.WaitAsync(() => Task.FromResult(runs.Count >= tasks / 5), "a fifth of the backlog to run", TimeSpan.FromSeconds(30));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        server.Stop("immediate");
        await Task.Delay(outage);
        // Ready plus unacknowledged: what the broker still holds at the end of the outage.
        var held = int.Parse(RabbitMqServer.Shared.RunCtl("list_queues", "name", "messages", "--no-table-headers", "--silent")
            .Split('\n').Single(line => line.StartsWith(queue + "\t", StringComparison.Ordinal)).Split('\t')[1]);
        server.Start();
        var succeededAfter = await CountSuccessAsync(store);

        await Eventually.WaitAsync(async () => await CountSuccessAsync(store) == tasks, "every task to succeed after the outage", FaultScale.Seconds(60));
        var completedAt = clock.Elapsed;
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, queue) == 0, "the queue to empty", FaultScale.Seconds(20));

        var figures = new FaultFigures(tasks, runs.Count, runs.Values.Sum() - runs.Count, tasks - await CountSuccessAsync(store), Reported: 0);
        figures.Print(output, "PostgreSQL stop -m immediate", $"outage {outage.TotalSeconds:0} s; the broker held {held} messages at its end, {tasks - succeededAfter} tasks had no outcome just after it; all done {completedAt.TotalSeconds:0.0} s after the stop");
        // Every task without its row just after the outage must still have been on the broker at its end:
        // an acknowledgement without a row would have taken its message away.
        Assert.InRange(tasks - succeededAfter, 0, held);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(tasks, figures.Executed);
    }

    private static async Task<int> CountSuccessAsync(TaskStore store)
    {
        var success = 0;
        await foreach (var _ in store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Success] })) success++;
        return success;
    }
}
