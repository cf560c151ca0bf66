using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Xunit;
using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>Several dispatcher processes race over the same due rows, and one is killed with SIGKILL mid-batch (issue 11, fault tests).</summary>
public sealed class DispatcherKillFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Racing_dispatchers_with_one_killed_mid_batch_send_no_task_twice_and_the_stale_queries_report_its_claimed_rows()
    {
        var (rows, dispatchers, batchSize) = (FaultScale.Of(1000), 3, "25");
        var connectionString = PostgresServer.Shared.CreateDatabase("fault_dispatch");
        var store = new TaskStore(new StoreConnection(connectionString, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var queue = Broker.NewQueue("fault-dispatch");
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var scheduling = new TaskClient(store, publisher, new TaskClientOptions { ScheduleDelayedTasks = true });
        var originals = await scheduling.SendManyAsync(
            [.. Enumerable.Range(0, rows).Select(_ => new TaskSend("fault.work", Options: new SendOptions { Queue = queue, Countdown = TimeSpan.FromSeconds(1) }))]);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // Each publish waits 200 ms first, so the killed dispatcher almost surely holds a batch it has claimed and not sent.
        var processes = Enumerable.Range(0, dispatchers).Select(_ => ChildProcess.Start("dispatch", Broker.Url, connectionString, batchSize, "200")).ToList();
        try
        {
            await processes[0].WaitForLineAsync("batch 2", TimeSpan.FromSeconds(40));
            processes[0].KillHard();
            foreach (var survivor in processes.Skip(1))
            {
                Assert.True(survivor.WaitForExit(FaultScale.Seconds(60)), $"a dispatcher did not finish:\n{survivor.Output}");
                Assert.True(survivor.ExitCode == 0, survivor.Output);
            }
        }
        finally
        {
            processes.ForEach(process => process.Dispose());
        }

        // Every message that reached the queue, counted per scheduled row it was sent for.
        await using var channel = await Broker.RawChannelAsync();
        var received = new Dictionary<string, int>();
        while (await Broker.GetAsync(channel, queue, TimeSpan.FromSeconds(1)) is { } message)
        {
            var sentFor = (await store.GetAsync(message.BasicProperties.CorrelationId!))!.RetriedFrom!;
            received[sentFor] = received.GetValueOrDefault(sentFor) + 1;
        }

        var reported = new HashSet<string>();
        await foreach (var claimed in store.GetStaleScheduledAsync(TimeSpan.Zero)) reported.Add(claimed.TaskId);
        var claimedUnsent = reported.Count;
        await foreach (var stale in store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.Zero }))
        {
            if (stale.RetriedFrom is { } sentFor && !received.ContainsKey(sentFor)) reported.Add(sentFor);
        }
        var due = 0;
        await foreach (var _ in store.GetDueScheduledAsync()) due++;

        var figures = new FaultFigures(rows, received.Count, received.Values.Sum() - received.Count,
            originals.Count(id => !received.ContainsKey(id) && !reported.Contains(id)), reported.Count);
        figures.Print(output, "dispatcher SIGKILL", $"{dispatchers} dispatchers, batches of {batchSize}; reported: {claimedUnsent} claimed and unrecorded (stale scheduled), {reported.Count - claimedUnsent} recorded and unsent (stale PENDING); {due} still due");
        Assert.Equal(0, figures.Duplicated);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, due);
        Assert.InRange(figures.Reported, 1, rows);
        Assert.Empty(reported.Intersect(received.Keys));
        Assert.Equal(rows, figures.Executed + figures.Reported);
    }
}
