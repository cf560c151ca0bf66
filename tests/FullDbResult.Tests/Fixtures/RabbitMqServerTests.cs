using System.Text;
using FullDbResult.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace FullDbResult.Tests.Fixtures;

public class RabbitMqServerTests
{
    [Fact]
    public async Task RawConnectionPublishesAndGetsBackAMessage()
    {
        await using var connection = await Connect(RabbitMqServer.Shared);
        await using var channel = await connection.CreateChannelAsync();
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);

        await channel.BasicPublishAsync("", queue.QueueName, Encoding.UTF8.GetBytes("hello"));
        var message = await channel.BasicGetAsync(queue.QueueName, autoAck: true);

        Assert.Equal("hello", Encoding.UTF8.GetString(message!.Body.Span));
    }

    [Fact]
    public void AmqpUriNamesGuestOnLoopbackAtPort()
    {
        var broker = RabbitMqServer.Shared;

        Assert.Equal($"amqp://guest:guest@127.0.0.1:{broker.Port}/", broker.AmqpUri.ToString());
    }

    [Fact]
    public async Task RunCtlListQueuesShowsADeclaredQueue()
    {
        var name = $"fixture-list-{Guid.NewGuid():N}";
        await using var connection = await Connect(RabbitMqServer.Shared);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: true);

        var listing = RabbitMqServer.Shared.RunCtl("list_queues", "name", "messages");

        Assert.Contains(name, listing);
    }

    [Fact]
    public async Task RestartDropsConnectionsAndKeepsPersistentMessagesInDurableQueues()
    {
        // A broker of its own: restarting the shared one would break the tests running beside this one.
        using var broker = RabbitMqServer.StartNew();
        await using var connection = await Connect(broker);
        // With confirms the publish returns once the broker has the message; without, a restart can beat it.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync("fixture-durable", durable: true, exclusive: false, autoDelete: false);
        await channel.BasicPublishAsync(
            "", "fixture-durable", mandatory: false, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("kept"));

        broker.Restart();

        await WaitUntil(() => !connection.IsOpen);
        await using var reconnected = await Connect(broker);
        await using var reopened = await reconnected.CreateChannelAsync();
        var message = await reopened.BasicGetAsync("fixture-durable", autoAck: true);
        Assert.Equal("kept", Encoding.UTF8.GetString(message!.Body.Span));
    }

    [Fact]
    public async Task StoppedBrokerRefusesConnections()
    {
        var broker = RabbitMqServer.StartNew();
        (await Connect(broker)).Dispose();

        broker.Stop();

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => Connect(broker));
    }

    private static Task<IConnection> Connect(RabbitMqServer broker) =>
        new ConnectionFactory { Uri = broker.AmqpUri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 100)
        {
            Assert.True(waited < 10_000, "condition not met within 10 s");
            await Task.Delay(100);
        }
    }
}
