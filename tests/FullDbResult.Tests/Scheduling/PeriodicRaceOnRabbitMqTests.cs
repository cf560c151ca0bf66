using System.Text;
using FullDbResult.RabbitMq;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Testing;
using FullDbResult.Tests.Storage;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.Tests.Scheduling;

/// <summary>Each periodic run sent once, end to end: real PostgreSQL, real RabbitMQ, racing schedulers.</summary>
public class PeriodicRaceOnRabbitMqTests
{
    [Fact]
    public async Task Four_schedulers_racing_put_each_periodic_run_on_the_queue_exactly_once()
    {
        var queue = $"periodic-race-{Guid.NewGuid():N}";
        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var clock = new ManualClock();
        var database = TestStores.NewDatabase(DatabaseProvider.PostgreSql);
        var definitions = new PeriodicTaskStore(new TaskStore(database, new TaskStoreOptions { Clock = clock }));
        for (var i = 0; i < 25; i++)
        {
            var task = PeriodicTaskStoreTests.Every($"task-{i:00}", 60);
            task.RoutingKey = queue;
            await definitions.AddAsync(task);
        }
        var connections = Enumerable.Range(0, 4).Select(_ => new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString())).ToList();
        var publishers = connections.Select(c => new RabbitMqTaskPublisher(c)).ToList();
        var schedulers = publishers.Select(p => new PeriodicScheduler(
            new PeriodicTaskStore(new TaskStore(database, new TaskStoreOptions { Clock = clock })), p)).ToList();

        var runs = new List<PeriodicRun>();
        for (var round = 0; round < 4; round++)
        {
            clock.Advance(TimeSpan.FromSeconds(60));
            runs.AddRange((await Task.WhenAll(schedulers.Select(s => Task.Run(() => s.RunOnceAsync())))).SelectMany(r => r));
        }
        foreach (var publisher in publishers) await publisher.DisposeAsync();
        foreach (var connection in connections) await connection.DisposeAsync();

        var onQueue = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            onQueue.Add(Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["id"]!));
        await channel.QueueDeleteAsync(queue);
        Assert.Equal(100, runs.Count(r => r.Sent));
        Assert.Equal(runs.Select(r => r.TaskId).Order(), onQueue.Order());
        Assert.Equal(100, onQueue.Distinct().Count());
        Assert.All(await definitions.ListAsync(), t => Assert.Equal(4L, t.RunCount));
    }
}
