using System.Text;
using FullDbResult.RabbitMq;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using FullDbResult.Tests.Storage;
using RabbitMQ.Client;
using Xunit;

using TestTasks = FullDbResult.Tests.Storage.Tasks;

namespace FullDbResult.Tests.Scheduling;
/// <summary>The at-most-once and never-lost guarantees end to end: real PostgreSQL, real RabbitMQ, racing dispatchers.</summary>
public class DispatchRaceOnRabbitMqTests
{
    private const int ScheduledCount = 10_000;
    private const int Dispatchers = 8;

    [Fact]
    public async Task Eight_dispatchers_racing_over_ten_thousand_scheduled_rows_put_each_task_on_the_queue_exactly_once()
    {
        var queue = $"dispatch-race-{Guid.NewGuid():N}";
        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        // Declared as Celery and the publisher declare it, so the publisher's declaration agrees.
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var database = TestStores.NewDatabase(DatabaseProvider.PostgreSql);
        var past = DateTime.UtcNow.AddMinutes(-1);
        await new TaskStore(database).InsertManyAsync(Enumerable.Range(0, ScheduledCount).Select(i =>
        {
            var row = TestTasks.Scheduled(past.AddMilliseconds(-i), $"scheduled-{i}");
            (row.Exchange, row.RoutingKey) = ("", queue);
            return row;
        }).ToList());

        var summaries = await Task.WhenAll(Enumerable.Range(0, Dispatchers).Select(_ => Task.Run(async () =>
        {
            // A connection each, as dispatchers on separate machines have.
            await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
            await using var publisher = new RabbitMqTaskPublisher(connection);
            return await new ScheduledDispatcher(new TaskStore(database), publisher).RunOnceAsync(new DispatchOptions { BatchSize = 100 });
        })));

        Assert.Equal(ScheduledCount, summaries.Sum(s => s.Sent));
        Assert.Equal(0, summaries.Sum(s => s.Failed + s.Skipped));
        Assert.True(summaries.Count(s => s.Sent > 0) > 1, "The dispatchers did not race: one sent everything.");
        var onQueue = await DrainIdsAsync(channel, queue);
        await channel.QueueDeleteAsync(queue);
        Assert.Equal(ScheduledCount, onQueue.Count);
        Assert.Equal(ScheduledCount, onQueue.Distinct().Count());

        var store = new TaskStore(database);
        var scheduled = await store.QueryAsync(new TaskQuery { Name = "report.build" }).ToListAsync();
        var byStatus = scheduled.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(ScheduledCount, byStatus[TaskStates.ScheduledSent].Count);
        Assert.Equal(ScheduledCount, byStatus[TaskStates.Pending].Count);
        Assert.Equal(onQueue.Order(), byStatus[TaskStates.ScheduledSent].Select(r => r.RetriedAs!).Order());
        Assert.Equal(onQueue.Order(), byStatus[TaskStates.Pending].Select(r => r.TaskId).Order());
    }

    private static async Task<List<string>> DrainIdsAsync(IChannel channel, string queue)
    {
        var ids = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            ids.Add(Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["id"]!));
        return ids;
    }
}
