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

/// <summary>The broker restarted while tracked tasks are being sent and consumed (issue 11, fault tests).</summary>
public sealed class BrokerRestartFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_task_sent_across_a_broker_restart_ends_success_or_carries_a_publish_error_the_stale_query_reports()
    {
        var tasks = FaultScale.Of(300);
        using var server = RabbitMqServer.StartNew();
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var runs = new ConcurrentDictionary<string, int>();
        var worker = new TaskWorkerOptions { Concurrency = 4 };
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("fault.add", (TaskContext context, int x) =>
        {
            runs.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
            return x;
        }), options: worker, server: server);
        await using var connection = Broker.Connect(server);
        await using var publisher = new RabbitMqTaskPublisher(connection, TimeSpan.FromSeconds(3));
        var client = new TaskClient(store, publisher);

        // Sends are spread over about eight seconds; the restart comes two seconds in and takes a few.
        var ids = new List<string>();
        var publishErrors = new HashSet<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var restart = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            server.Restart();
            return clock.Elapsed;
        });
        var lastFailure = TimeSpan.Zero;
        for (var i = 0; i < tasks; i++)
        {
            try
            {
                ids.Add(await client.SendAsync("fault.add", $"[{i}]", sendOptions: new SendOptions { Queue = running.Queue }));
            }
            catch (TaskPublishException failure)
            {
                ids.AddRange(failure.FailedTaskIds);
                publishErrors.UnionWith(failure.FailedTaskIds);
                lastFailure = clock.Elapsed;
            }

            await Task.Delay(8000 / tasks);
        }
        var restarted = await restart;
        var sendsEnded = clock.Elapsed;

        // Settled: the queue is empty and every task either succeeded or was never published.
        await using var channel = await Broker.RawChannelAsync(server);
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.Queue) == 0
            && (await Task.WhenAll(ids.Select(id => store.GetAsync(id)))).All(row => row!.Status == TaskStates.Success || publishErrors.Contains(row.TaskId)),
            "every message consumed and every published task settled", FaultScale.Seconds(60));

        var rows = await Task.WhenAll(ids.Select(id => store.GetAsync(id)));
        var unfinished = rows.Where(row => row!.Status != TaskStates.Success).Select(row => row!).ToList();
        var reported = new HashSet<string>();
        await foreach (var stale in store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero })) reported.Add(stale.TaskId);
        var figures = new FaultFigures(ids.Count, runs.Count, runs.Values.Sum() - runs.Count,
            unfinished.Count(row => !reported.Contains(row.TaskId)), unfinished.Count(row => reported.Contains(row.TaskId)));
        figures.Print(output, "broker restart", $"{publishErrors.Count} publish errors, {rows.Count(r => r!.Status == TaskStates.Success)} SUCCESS; broker back at {restarted.TotalSeconds:0.0} s, last failed send at {lastFailure.TotalSeconds:0.0} s, sends ended at {sendsEnded.TotalSeconds:0.0} s");

        Assert.Equal(tasks, ids.Distinct().Count());
        Assert.Equal(0, figures.Lost);
        Assert.All(unfinished, row => Assert.Contains(TaskClient.PublishErrorKey, row.Meta));
        Assert.Equal(tasks - unfinished.Count, rows.Count(row => row!.Status == TaskStates.Success));
        // A restart can catch at most the tasks running at that moment.
        Assert.InRange(figures.Duplicated, 0, worker.Concurrency);
    }
}
