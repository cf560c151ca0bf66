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
/// A 3-node RabbitMQ cluster with a quorum task queue loses the node that leads the queue (killed: nothing handed over) while a producer sends
/// tracked tasks, a dispatcher sends due scheduled rows, and two workers consume, all given every node's URL.
/// One cluster for both producers: starting one takes most of the test's time.
/// </summary>
public sealed class ClusterNodeLossTests(ITestOutputHelper output)
{
    private const string TaskName = "cluster.add";
    private const string WorkerName = "cluster-worker-1";
    private static readonly QueueDeclarations Quorum = new() { DefaultType = QueueType.Quorum };

    [Fact]
    public async Task Tasks_sent_and_dispatched_while_the_queue_leader_is_killed_end_success_or_are_reported_and_none_confirmed_is_lost()
    {
        var (tasks, scheduled) = (FaultScale.Of(200), FaultScale.Of(200));
        var clock = Stopwatch.StartNew();
        using var cluster = RabbitMqCluster.Start(3);
        var clusterUp = clock.Elapsed;
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("cluster");
        var runs = new ConcurrentDictionary<string, int>();
        var workerOptions = new TaskWorkerOptions { Concurrency = 4 };
        Action<TaskWorker> register = w => w.Register(TaskName, (TaskContext context, int x) =>
        {
            runs.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
            return x;
        });
        // The first worker declares the queue; where the leader lands is RabbitMQ's choice, read below.
        await using var first = await RunningWorker.StartAsync(store, register, queue, workerOptions, connection: Connect(cluster, WorkerName));
        await using var second = await RunningWorker.StartAsync(store, register, queue, workerOptions, connection: Connect(cluster, "cluster-worker-2"));
        var leader = cluster.LeaderOf(queue);

        // Scheduled rows fall due over the same eight seconds as the sends.
        var start = DateTime.UtcNow.AddSeconds(1);
        await store.InsertManyAsync(Enumerable.Range(0, scheduled).Select(i => new TaskRecord
        {
            TaskId = $"scheduled-{i}",
            TaskName = TaskName,
            Status = TaskStates.Scheduled,
            Args = $"[{i}]",
            Kwargs = "{}",
            Eta = start.AddMilliseconds(8000.0 * i / scheduled),
            Exchange = "",
            RoutingKey = queue,
        }).ToList());
        // The producer and the dispatcher start on the leader's node too, so that the kill cuts their connections.
        await using var dispatcherConnection = await ConnectToNodeAsync(cluster, leader, "cluster-dispatcher");
        await using var dispatcherPublisher = new RabbitMqTaskPublisher(dispatcherConnection, TimeSpan.FromSeconds(3));
        using var stopDispatcher = new CancellationTokenSource();
        var dispatcher = new ScheduledDispatcher(store, dispatcherPublisher)
            .CreateLoop(TimeSpan.FromMilliseconds(100), new DispatchOptions { BatchSize = 20 }, TimeSpan.FromSeconds(2))
            .RunAsync(stopDispatcher.Token);

        await using var producerConnection = await ConnectToNodeAsync(cluster, leader, "cluster-producer");
        var firstWorkerOnLeader = cluster.NodeOf(WorkerName) == leader;
        await using var publisher = new RabbitMqTaskPublisher(producerConnection, TimeSpan.FromSeconds(3));
        var client = new TaskClient(store, publisher);
        var sendStart = clock.Elapsed;
        var stop = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var at = clock.Elapsed;
            cluster.KillNode(leader);
            return at;
        });
        var confirmed = new List<string>();
        var publishErrors = new HashSet<string>();
        for (var i = 0; i < tasks; i++)
        {
            try
            {
                confirmed.Add(await client.SendAsync(TaskName, $"[{i}]", sendOptions: new SendOptions { Queue = queue }));
            }
            catch (TaskPublishException failure)
            {
                publishErrors.UnionWith(failure.FailedTaskIds);
            }

            await Task.Delay(8000 / tasks);
        }

        var stopAsked = await stop;
        var newLeader = cluster.LeaderOf(queue);
        await Eventually.WaitAsync(async () => (await RowsAsync(store)).All(row => row.Status != TaskStates.Scheduled || row.ScheduledId is not null),
            "every due scheduled row to be claimed", FaultScale.Seconds(60));
        // Settled: every task that was published has run; the rest carry a publish error.
        await Eventually.WaitAsync(async () => (await RowsAsync(store)).All(Settled),
            "every published task to run", FaultScale.Seconds(90));
        stopDispatcher.Cancel();
        await dispatcher;

        var rows = (await RowsAsync(store)).ToDictionary(row => row.TaskId);
        var reported = new HashSet<string>();
        await foreach (var stale in store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero })) reported.Add(stale.TaskId);
        await foreach (var stale in store.GetStaleScheduledAsync(TimeSpan.Zero)) reported.Add(stale.TaskId);
        var sentIds = confirmed.Concat(publishErrors).ToList();
        var sent = Figures(sentIds, sentIds, rows, runs, reported);
        // A scheduled row's task is the one it was sent as (retried_as), or the row itself while its claim is stale.
        var scheduledIds = Enumerable.Range(0, scheduled).Select(i => $"scheduled-{i}").ToList();
        var dispatchedAs = scheduledIds.Select(id => rows[id].RetriedAs ?? id).ToList();
        var dispatched = Figures(scheduledIds, dispatchedAs, rows, runs, reported);
        var details = $"cluster up in {clusterUp.TotalSeconds:0} s; leader node {leader} (producer, dispatcher{(firstWorkerOnLeader ? ", first worker" : "")} on it) killed at {(stopAsked - sendStart).TotalSeconds:0.0} s, new leader node {newLeader}; whole test {clock.Elapsed.TotalSeconds:0} s";
        sent.Print(output, "cluster leader loss, producer", $"{confirmed.Count} confirmed, {publishErrors.Count} publish errors; {details}");
        dispatched.Print(output, "cluster leader loss, dispatcher", $"{dispatchedAs.Count(id => rows[id].Status == TaskStates.Success)} SUCCESS");

        Assert.NotEqual(leader, newLeader);
        Assert.Equal(tasks, sentIds.Distinct().Count());
        Assert.All(confirmed, id => Assert.Equal(TaskStates.Success, rows[id].Status));
        Assert.Equal(0, sent.Lost);
        Assert.Equal(0, dispatched.Lost);
        // A confirmed dispatch is a new task without a publish error: it ran.
        Assert.All(dispatchedAs.Where(id => rows[id].Status != TaskStates.Scheduled && PublishError(rows[id]) is null),
            id => Assert.Equal(TaskStates.Success, rows[id].Status));
        // Redelivered after the cut: at most what the cut connections held unacknowledged.
        Assert.InRange(sent.Duplicated + dispatched.Duplicated, 0, 2 * workerOptions.DefaultPrefetch);
    }

    private static RabbitMqConnection Connect(RabbitMqCluster cluster, string name) => new(cluster.BrokerUrl, name) { Queues = Quorum };

    /// <summary>A connection with every node's URL that happens to be on <paramref name="node"/> (the client picks one at random).</summary>
    private static async Task<RabbitMqConnection> ConnectToNodeAsync(RabbitMqCluster cluster, int node, string name)
    {
        for (var attempt = 0; attempt < 30; attempt++)
        {
            var connection = Connect(cluster, name);
            await connection.VerifyAsync();
            if (cluster.NodeOf(name) == node) return connection;
            await connection.DisposeAsync();
        }

        throw new InvalidOperationException($"30 connections never landed on node {node}.");
    }

    /// <summary>A row that will not change any more without an operator: an outcome, a publish error, or a scheduled row's bookkeeping.</summary>
    private static bool Settled(TaskRecord row) =>
        row.Status is TaskStates.Success or TaskStates.ScheduledSent || PublishError(row) is not null;

    private static FaultFigures Figures(List<string> sent, List<string> ranAs, Dictionary<string, TaskRecord> rows, ConcurrentDictionary<string, int> runs, HashSet<string> reported)
    {
        var unfinished = ranAs.Where(id => rows[id].Status != TaskStates.Success).ToList();
        return new FaultFigures(sent.Count, ranAs.Count(runs.ContainsKey), ranAs.Sum(id => Math.Max(runs.GetValueOrDefault(id) - 1, 0)),
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
