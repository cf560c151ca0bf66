using System.Collections.Concurrent;
using System.Diagnostics;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Faults;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Worker;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Cluster;

/// <summary>
/// The store's PostgreSQL primary crashes and its synchronous streaming standby is promoted while a producer sends
/// tracked tasks, a dispatcher sends due scheduled rows and a worker runs them, all through one connection string
/// naming both hosts with Target Session Attributes=primary.
/// </summary>
public sealed class PostgresFailoverTests(ITestOutputHelper output)
{
    private const string TaskName = "failover.add";

    [Fact]
    public async Task Across_a_promotion_of_the_standby_the_worker_and_dispatcher_reconnect_no_ack_lacks_its_row_and_each_claim_is_sent_once()
    {
        var (tasks, scheduled) = (FaultScale.Of(150), FaultScale.Of(150));
        var clock = Stopwatch.StartNew();
        var pair = PostgresStandbyPair.Start();
        var store = new TaskStore(new StoreConnection(pair.CreateDatabase("failover"), DatabaseProvider.PostgreSql));
        var pairUp = clock.Elapsed;
        var runs = new ConcurrentDictionary<string, int>();
        var workerOptions = new TaskWorkerOptions { Concurrency = 4, TrackStarted = true };
        await using var worker = await RunningWorker.StartAsync(store, w => w.Register(TaskName, (TaskContext context, int x) =>
        {
            runs.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
            return x;
        }), options: workerOptions);
        var start = DateTime.UtcNow.AddSeconds(1);
        var lastEta = start.AddSeconds(8);
        await store.InsertManyAsync(Enumerable.Range(0, scheduled).Select(i => new TaskRecord
        {
            TaskId = $"scheduled-{i}",
            TaskName = TaskName,
            Status = TaskStates.Scheduled,
            Args = $"[{i}]",
            Kwargs = "{}",
            Eta = start.AddMilliseconds(8000.0 * i / scheduled),
            Exchange = "",
            RoutingKey = worker.Queue,
        }).ToList());
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection, TimeSpan.FromSeconds(3));
        using var stopDispatcher = new CancellationTokenSource();
        var dispatcher = new ScheduledDispatcher(store, publisher)
            .CreateLoop(TimeSpan.FromMilliseconds(100), new DispatchOptions { BatchSize = 20 }, TimeSpan.FromSeconds(1))
            .RunAsync(stopDispatcher.Token);

        var client = new TaskClient(store, publisher);
        var sendStart = clock.Elapsed;
        var failover = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var at = clock.Elapsed - sendStart;
            pair.FailOver();
            return (at, clock.Elapsed - sendStart);
        });
        var confirmed = new List<string>();
        var publishErrors = new HashSet<string>();
        var refused = 0;
        for (var i = 0; i < tasks; i++)
        {
            try
            {
                confirmed.Add(await client.SendAsync(TaskName, $"[{i}]", sendOptions: new SendOptions { Queue = worker.Queue }));
            }
            catch (TaskPublishException failure)
            {
                publishErrors.UnionWith(failure.FailedTaskIds);
            }
            catch (Exception ex) when (ex is TaskStoreConnectionException or Npgsql.NpgsqlException)
            {
                // The PENDING row could not be written: nothing was published, and the caller knows.
                refused++;
            }

            await Task.Delay(8000 / tasks);
        }

        var (crashedAt, promotedAt) = await failover;
        await Task.Delay(lastEta.AddSeconds(2) - DateTime.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, worker.Queue) == 0 && (await RowsAsync(store)).All(Settled),
            "every published task to run and every scheduled row to be dispatched or left claimed", FaultScale.Seconds(90));
        stopDispatcher.Cancel();
        await dispatcher;

        var rows = (await RowsAsync(store)).ToDictionary(row => row.TaskId);
        var reported = new HashSet<string>();
        await foreach (var stale in store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero })) reported.Add(stale.TaskId);
        await foreach (var stale in store.GetStaleScheduledAsync(TimeSpan.Zero)) reported.Add(stale.TaskId);
        var sentIds = confirmed.Concat(publishErrors).ToList();
        var sent = Figures(sentIds, rows, runs, reported);
        var scheduledIds = Enumerable.Range(0, scheduled).Select(i => $"scheduled-{i}").ToList();
        var dispatchedAs = scheduledIds.Select(id => rows[id].RetriedAs ?? id).ToList();
        var dispatched = Figures(dispatchedAs, rows, runs, reported);
        sent.Print(output, "postgres failover, producer", $"{confirmed.Count} confirmed, {publishErrors.Count} publish errors, {refused} refused (no row written, caller told); pair up in {pairUp.TotalSeconds:0} s; primary crashed at {crashedAt.TotalSeconds:0.0} s, standby promoted at {promotedAt.TotalSeconds:0.0} s; whole test {clock.Elapsed.TotalSeconds:0} s");
        dispatched.Print(output, "postgres failover, dispatcher", $"{dispatchedAs.Count(id => rows[id].Status == TaskStates.Success)} SUCCESS, {scheduledIds.Count(id => rows[id].Status == TaskStates.Scheduled)} left claimed");

        Assert.Equal(tasks, sentIds.Count + refused);
        // No acknowledgement without its row: every confirmed task's outcome is on the promoted standby.
        Assert.All(confirmed, id => Assert.Equal(TaskStates.Success, rows[id].Status));
        Assert.All(runs.Keys, id => Assert.Equal(TaskStates.Success, rows[id].Status));
        Assert.Equal(0, sent.Lost);
        Assert.Equal(0, dispatched.Lost);
        // Each scheduled row was claimed and sent at most once: never two tasks made from one row.
        Assert.All(scheduledIds, id => Assert.InRange(rows.Values.Count(row => row.RetriedFrom == id), 0, 1));
        Assert.True(refused + publishErrors.Count + sent.Reported + dispatched.Reported < tasks + scheduled,
            "Nothing went through the failover: the test did not exercise reconnection.");
    }

    /// <summary>A row that will not change any more without an operator.</summary>
    private static bool Settled(TaskRecord row) =>
        row.Status is TaskStates.Success or TaskStates.ScheduledSent
        || (row.Status == TaskStates.Scheduled && row.ScheduledId is not null)
        || PublishError(row) is not null;

    private static FaultFigures Figures(List<string> ids, Dictionary<string, TaskRecord> rows, ConcurrentDictionary<string, int> runs, HashSet<string> reported)
    {
        var unfinished = ids.Where(id => rows[id].Status != TaskStates.Success).ToList();
        return new FaultFigures(ids.Count, ids.Count(runs.ContainsKey), ids.Sum(id => Math.Max(runs.GetValueOrDefault(id) - 1, 0)),
            unfinished.Count(id => !reported.Contains(id)), unfinished.Count(reported.Contains));
    }

    private static string? PublishError(TaskRecord row) =>
        row.Meta is { } meta && System.Text.Json.JsonDocument.Parse(meta).RootElement.TryGetProperty(TaskClient.PublishErrorKey, out var error)
            ? error.GetString()
            : null;

    private static async Task<List<TaskRecord>> RowsAsync(TaskStore store)
    {
        var rows = new List<TaskRecord>();
        await foreach (var row in store.QueryAsync(new TaskQuery { Name = TaskName })) rows.Add(row);
        return rows;
    }
}
