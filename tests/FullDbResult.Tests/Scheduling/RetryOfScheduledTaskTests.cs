using System.Text;
using FullDbResult.Publishing;
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
/// <summary>
/// Invoke-TaskRetry on a SCHEDULED row: the retry is the row's send, now, and no dispatcher sends it again;
/// a row a dispatcher has claimed is left to that dispatcher. Real PostgreSQL and RabbitMQ.
/// </summary>
public sealed class RetryOfScheduledTaskTests
{
    [Fact]
    public async Task Retrying_a_scheduled_task_before_its_eta_sends_it_once_now_and_no_dispatcher_sends_it_again()
    {
        var queue = NewQueue();
        var database = TestStores.NewDatabase(DatabaseProvider.PostgreSql);
        var store = new TaskStore(database);
        await InsertScheduledAsync(store, queue, [DateTime.UtcNow.AddHours(1)]);
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var publisher = new RabbitMqTaskPublisher(connection);

        var retry = await new TaskClient(store, publisher).RetryAsync("scheduled-0");
        // A dispatcher whose clock is past the eta: the row would be due.
        var later = new TaskStore(database, new TaskStoreOptions { Clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(2)) });
        var pass = await new ScheduledDispatcher(later, publisher).RunOnceAsync();

        Assert.True(retry.Sent);
        Assert.Equal(0, pass.Claimed);
        var row = await store.GetAsync("scheduled-0");
        Assert.Equal((TaskStates.ScheduledSent, retry.NewTask!.TaskId), (row!.Status, row.RetriedAs));
        Assert.Equal([retry.NewTask.TaskId], await DrainIdsAsync(queue));
    }

    [Fact]
    public async Task Retrying_a_scheduled_task_that_a_dispatcher_has_claimed_is_refused_and_sends_nothing()
    {
        var queue = NewQueue();
        var store = new TaskStore(TestStores.NewDatabase(DatabaseProvider.PostgreSql));
        await InsertScheduledAsync(store, queue, [DateTime.UtcNow.AddMinutes(-1)]);
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var publisher = new RabbitMqTaskPublisher(connection);
        // A dispatcher that claimed the row and has not yet recorded it.
        Assert.Single(await store.ClaimDueScheduledAsync(10, "a-dispatcher"));

        var retry = await new TaskClient(store, publisher).RetryAsync("scheduled-0");

        Assert.Equal(RetryClaim.ClaimedByDispatcher, retry.Claim);
        var row = await store.GetAsync("scheduled-0");
        Assert.Equal((TaskStates.Scheduled, (string?)null, "a-dispatcher"), (row!.Status, row.RetriedAs, row.ScheduledId));
        Assert.Empty(await DrainIdsAsync(queue));
    }

    [Fact]
    public async Task Retries_and_dispatcher_passes_racing_over_the_same_scheduled_rows_send_each_row_exactly_once()
    {
        const int rows = 300;
        const int retriers = 4;
        const int dispatchers = 2;
        var queue = NewQueue();
        var database = TestStores.NewDatabase(DatabaseProvider.PostgreSql);
        // Two rows in three are due, so retries and dispatchers race for them; the third is due in an hour,
        // so only a retry sends it now, and a dispatcher must not send it again once it falls due.
        var etas = Enumerable.Range(0, rows).Select(i => i % 3 == 0 ? DateTime.UtcNow.AddHours(1) : DateTime.UtcNow.AddMinutes(-1)).ToList();
        await InsertScheduledAsync(new TaskStore(database), queue, etas);
        using var stop = new CancellationTokenSource();

        var dispatching = Enumerable.Range(0, dispatchers).Select(_ => Task.Run(async () =>
        {
            await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
            await using var publisher = new RabbitMqTaskPublisher(connection);
            var dispatcher = new ScheduledDispatcher(new TaskStore(database), publisher);
            var sent = 0;
            while (!stop.IsCancellationRequested) sent += (await dispatcher.RunOnceAsync(new DispatchOptions { BatchSize = 7 })).Sent;
            return sent;
        })).ToList();
        var retrying = Enumerable.Range(0, retriers).Select(r => Task.Run(async () =>
        {
            await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
            await using var publisher = new RabbitMqTaskPublisher(connection);
            var client = new TaskClient(new TaskStore(database), publisher);
            var outcomes = new List<RetryClaim>();
            foreach (var i in Enumerable.Range(0, rows).OrderBy(_ => Random.Shared.Next()).ToList())
                outcomes.Add((await client.RetryAsync($"scheduled-{i}")).Claim);
            return outcomes;
        })).ToList();
        var retried = (await Task.WhenAll(retrying)).SelectMany(o => o).ToList();
        stop.Cancel();
        var dispatched = (await Task.WhenAll(dispatching)).Sum();
        await using (var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString()))
        await using (var publisher = new RabbitMqTaskPublisher(connection))
        {
            var hoursLater = new TaskStore(database, new TaskStoreOptions { Clock = new ManualClock(DateTimeOffset.UtcNow.AddHours(2)) });
            Assert.Equal(0, (await new ScheduledDispatcher(hoursLater, publisher).RunOnceAsync()).Claimed);
        }

        var sentByRetry = retried.Count(o => o == RetryClaim.Claimed);
        Assert.Equal(rows, sentByRetry + dispatched);
        Assert.True(dispatched > 0 && sentByRetry > rows / 3, $"No race: {sentByRetry} sent by retries, {dispatched} by dispatchers.");
        var onQueue = await DrainIdsAsync(queue);
        Assert.Equal(rows, onQueue.Count);
        var store = new TaskStore(database);
        for (var i = 0; i < rows; i++)
        {
            var row = await store.GetAsync($"scheduled-{i}");
            Assert.Equal(TaskStates.ScheduledSent, row!.Status);
            Assert.Equal($"scheduled-{i}", (await store.GetAsync(row.RetriedAs!))!.RetriedFrom);
        }
        var recorded = new List<string>();
        await foreach (var row in store.QueryAsync(new TaskQuery { Statuses = [TaskStates.ScheduledSent] })) recorded.Add(row.RetriedAs!);
        Assert.Equal(onQueue.Order(), recorded.Order());
    }

    private static string NewQueue() => $"retry-scheduled-{Guid.NewGuid():N}";

    private static async Task InsertScheduledAsync(TaskStore store, string queue, IReadOnlyList<DateTime> etas) =>
        await store.InsertManyAsync(etas.Select((eta, i) =>
        {
            var row = TestTasks.Scheduled(eta, $"scheduled-{i}");
            (row.Exchange, row.RoutingKey) = ("", queue);
            return row;
        }).ToList());

    private static async Task<List<string>> DrainIdsAsync(string queue)
    {
        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var ids = new List<string>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            ids.Add(Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["id"]!));
        await channel.QueueDeleteAsync(queue);
        return ids;
    }
}
