using System.Diagnostics;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Producer;

/// <summary>A broker that goes away and comes back, on a private broker of this test's own.</summary>
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task A_send_during_an_outage_fails_within_the_timeout_and_producer_and_worker_recover_after_it()
    {
        using var server = RabbitMqServer.StartNew();
        var store = Stores.New(DatabaseProvider.PostgreSql);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y), server: server);
        await using var connection = Broker.Connect(server);
        var timeout = TimeSpan.FromSeconds(3);
        await using var publisher = new RabbitMqTaskPublisher(connection, timeout);
        var client = new TaskClient(store, publisher);
        var before = await client.SendAsync("demo.add", "[1, 1]", sendOptions: new SendOptions { Queue = running.Queue });
        await Eventually.StatusAsync(store, before, TaskStates.Success);

        server.RunCtl("stop_app");
        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<TaskPublishException>(() =>
            client.SendAsync("demo.add", "[2, 2]", sendOptions: new SendOptions { Queue = running.Queue }));
        clock.Stop();

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, timeout + TimeSpan.FromSeconds(2));
        var lost = await store.GetAsync(failure.FailedTaskIds.Single());
        Assert.Equal(TaskStates.Pending, lost!.Status);
        Assert.Contains(TaskClient.PublishErrorKey, lost.Meta);
        Assert.DoesNotContain("guest:guest", failure.ToString());

        server.RunCtl("start_app");
        string? after = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                after = await client.SendAsync("demo.add", "[3, 3]", sendOptions: new SendOptions { Queue = running.Queue });
                return true;
            }
            catch (TaskPublishException)
            {
                return false;
            }
        }, "a send to succeed after the restart", TimeSpan.FromSeconds(60));
        Assert.Equal("6", (await Eventually.StatusAsync(store, after!, TaskStates.Success, TimeSpan.FromSeconds(60))).Result);
    }
}
