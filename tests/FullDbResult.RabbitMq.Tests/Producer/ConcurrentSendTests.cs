using System.Collections.Concurrent;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Producer;

/// <summary>
/// Many callers of <see cref="TaskClient.SendAsync"/> at once, over a real RabbitMQ and real databases: they
/// share row writes and confirm waits, and each still gets exactly its own outcome.
/// </summary>
public sealed class ConcurrentSendTests : IAsyncLifetime
{
    private readonly RabbitMqConnection _connection = Broker.Connect();
    private RabbitMqTaskPublisher _publisher = null!;

    public Task InitializeAsync()
    {
        _publisher = new RabbitMqTaskPublisher(_connection);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Concurrent_sends_share_publishes_and_each_returns_after_its_row_is_stored_and_its_message_confirmed(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("concurrent");
        var ledger = new LedgerPublisher(_publisher, store);
        var client = new TaskClient(store, ledger);

        var ids = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            var id = await client.SendAsync("proj.n", $"[{i}]", sendOptions: new SendOptions { Queue = queue });
            // Returned: its message must already be confirmed, not merely on its way.
            Assert.True(ledger.Confirmed.ContainsKey(id), $"send {i} returned before its message was confirmed");
            return id;
        }));

        Assert.Equal(64, ids.Distinct().Count());
        Assert.Empty(ledger.PublishedWithoutRow);
        Assert.InRange(ledger.Publishes, 1, 63);
        foreach (var id in ids) Assert.Equal(TaskStates.Pending, (await store.GetAsync(id))!.Status);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(64u, await Broker.CountAsync(channel, queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_duplicate_id_among_concurrent_sends_fails_only_its_own_caller(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("duplicate");
        var client = new TaskClient(store, _publisher);
        var taken = await client.SendAsync("proj.first", sendOptions: new SendOptions { Queue = queue });

        var sends = Enumerable.Range(0, 30).Select(i => Outcome(client.SendAsync(i == 13 ? "proj.again" : "proj.n", $"[{i}]",
            sendOptions: new SendOptions { Queue = queue, TaskId = i == 13 ? taken : null }))).ToList();
        var outcomes = await Task.WhenAll(sends);

        var failure = Assert.IsType<DuplicateTaskException>(outcomes[13].Error);
        Assert.Equal(taken, failure.TaskId);
        Assert.All(outcomes.Where((_, i) => i != 13), o => Assert.Null(o.Error));
        Assert.Equal("proj.first", (await store.GetAsync(taken))!.TaskName);
        Assert.Equal(29, (await store.QueryAsync(new TaskQuery { Name = "proj.n" }).ToListAsync()).Count);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(30u, await Broker.CountAsync(channel, queue));
    }

    [Fact]
    public async Task Two_concurrent_sends_with_one_id_store_and_publish_it_once()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("same-id");
        var client = new TaskClient(store, _publisher);
        var id = Guid.NewGuid().ToString();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Outcome(client.SendAsync(i == 3 || i == 5 ? "proj.twice" : "proj.n",
            sendOptions: new SendOptions { Queue = queue, TaskId = i == 3 || i == 5 ? id : null }))));

        Assert.Single(new[] { outcomes[3], outcomes[5] }, o => o.Error is null);
        Assert.Single(new[] { outcomes[3], outcomes[5] }, o => o.Error is DuplicateTaskException);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(7u, await Broker.CountAsync(channel, queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task An_unconfirmed_message_among_concurrent_sends_fails_only_its_caller_and_notes_only_its_row(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("one-returned");
        var client = new TaskClient(store, _publisher);
        var lost = Guid.NewGuid().ToString();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Outcome(i == 17
            ? client.SendAsync("proj.lost", sendOptions: new SendOptions { TaskId = lost, Exchange = "amq.direct", RoutingKey = "nobody.listens." + lost })
            : client.SendAsync("proj.n", $"[{i}]", sendOptions: new SendOptions { Queue = queue }))));

        var failure = Assert.IsType<TaskPublishException>(outcomes[17].Error);
        Assert.Equal([lost], failure.FailedTaskIds);
        Assert.Contains("no queue is bound", failure.Message);
        Assert.All(outcomes.Where((_, i) => i != 17), o => Assert.Null(o.Error));
        var lostRow = await store.GetAsync(lost);
        Assert.Equal(TaskStates.Pending, lostRow!.Status);
        Assert.Contains(TaskClient.PublishErrorKey, lostRow.Meta);
        var rows = await store.QueryAsync(new TaskQuery { Name = "proj.n" }).ToListAsync();
        Assert.Equal(39, rows.Count);
        Assert.All(rows, row => Assert.Null(row.Meta));
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(39u, await Broker.CountAsync(channel, queue));
    }

    [Fact]
    public async Task Concurrent_delayed_sends_with_scheduling_on_are_stored_scheduled_beside_published_ones()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("mixed");
        var client = new TaskClient(store, _publisher, new TaskClientOptions { ScheduleDelayedTasks = true });

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.SendAsync("proj.n", $"[{i}]",
            sendOptions: new SendOptions { Queue = queue, Countdown = i % 2 == 0 ? TimeSpan.FromHours(1) : null })));

        for (var i = 0; i < ids.Length; i++)
            Assert.Equal(i % 2 == 0 ? TaskStates.Scheduled : TaskStates.Pending, (await store.GetAsync(ids[i]))!.Status);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(10u, await Broker.CountAsync(channel, queue));
    }

    [Fact]
    public async Task Concurrent_untracked_sends_publish_every_message_and_write_no_row()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("untracked-concurrent");
        var client = new TaskClient(store, _publisher, new TaskClientOptions { TrackPublish = false });

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.SendAsync("proj.n", $"[{i}]", sendOptions: new SendOptions { Queue = queue })));

        foreach (var id in ids) Assert.Null(await store.GetAsync(id));
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(20u, await Broker.CountAsync(channel, queue));
    }

    [Fact]
    public async Task A_send_cancelled_before_it_starts_writes_and_publishes_nothing()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("cancelled");
        var client = new TaskClient(store, _publisher);
        var id = Guid.NewGuid().ToString();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync("proj.n",
            sendOptions: new SendOptions { Queue = queue, TaskId = id }, cancellationToken: new CancellationToken(canceled: true)));

        Assert.Null(await store.GetAsync(id));
        await using var channel = await Broker.RawChannelAsync();
        await Broker.DeclareAsync(channel, queue);
        Assert.Equal(0u, await Broker.CountAsync(channel, queue));
    }

    private static async Task<(string? Id, Exception? Error)> Outcome(Task<string> send)
    {
        try
        {
            return (await send, null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    /// <summary>
    /// The real publisher, with a ledger: before each publish it reads every message's row from the store (a
    /// message published before its row committed is recorded), and after the broker's confirms it records
    /// the confirmed ids.
    /// </summary>
    private sealed class LedgerPublisher(ITaskPublisher inner, TaskStore store) : ITaskPublisher
    {
        private int _publishes;

        public ConcurrentDictionary<string, bool> Confirmed { get; } = new();
        public ConcurrentBag<string> PublishedWithoutRow { get; } = [];
        public int Publishes => Volatile.Read(ref _publishes);

        public async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _publishes);
            foreach (var message in messages)
                if (await store.GetAsync(message.Id, cancellationToken) is null) PublishedWithoutRow.Add(message.Id);
            await inner.PublishAsync(messages, cancellationToken);
            foreach (var message in messages) Confirmed[message.Id] = true;
        }
    }
}
