using System.Text;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Producer;

/// <summary>TaskClient over a real RabbitMQ and real databases.</summary>
public sealed class TaskClientTests : IAsyncLifetime
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
    public async Task Send_writes_a_pending_row_and_publishes_the_task_to_its_queue(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("send");
        var client = new TaskClient(store, _publisher);

        var id = await client.SendAsync("proj.add", "[2, 3]", """{"z": 1}""", new SendOptions { Queue = queue, Priority = 4 });

        var row = await store.GetAsync(id);
        Assert.NotNull(row);
        Assert.Equal((TaskStates.Pending, "proj.add", "[2, 3]", queue, 4), (row.Status, row.TaskName, row.Args, row.Queue, row.Priority));
        Assert.Null(row.Meta);
        await using var channel = await Broker.RawChannelAsync();
        var delivered = await Broker.GetAsync(channel, queue);
        Assert.NotNull(delivered);
        var decoded = CeleryProtocol.Decode(new WireMessage
        {
            Body = delivered.Body.ToArray(),
            ContentType = delivered.BasicProperties.ContentType,
            ContentEncoding = delivered.BasicProperties.ContentEncoding,
            CorrelationId = delivered.BasicProperties.CorrelationId,
            Headers = delivered.BasicProperties.Headers!,
        });
        Assert.True(decoded.Succeeded, decoded.Error);
        Assert.Equal((id, "proj.add", "[2, 3]", """{"z": 1}"""), (decoded.Message.Id, decoded.Message.Name, decoded.Message.Args, decoded.Message.Kwargs));
    }

    [Fact]
    public async Task Send_with_publish_tracking_off_writes_no_row()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("untracked");
        var client = new TaskClient(store, _publisher, new TaskClientOptions { TrackPublish = false });

        var id = await client.SendAsync("proj.add", "[1, 2]", sendOptions: new SendOptions { Queue = queue });

        Assert.Null(await store.GetAsync(id));
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(1u, await Broker.CountAsync(channel, queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Send_with_a_countdown_and_scheduling_on_stores_a_scheduled_row_and_publishes_nothing(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("scheduled");
        var client = new TaskClient(store, _publisher, new TaskClientOptions { ScheduleDelayedTasks = true });
        var before = DateTime.UtcNow;

        var id = await client.SendAsync("proj.later", sendOptions: new SendOptions { Queue = queue, Countdown = TimeSpan.FromMinutes(10) });

        var row = await store.GetAsync(id);
        Assert.Equal(TaskStates.Scheduled, row!.Status);
        Assert.InRange(row.Eta!.Value, before.AddMinutes(10).AddSeconds(-1), DateTime.UtcNow.AddMinutes(10).AddSeconds(1));
        await using var channel = await Broker.RawChannelAsync();
        await Broker.DeclareAsync(channel, queue);
        Assert.Equal(0u, await Broker.CountAsync(channel, queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Send_many_writes_every_row_and_publishes_every_message(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("batch");
        var client = new TaskClient(store, _publisher);
        var sends = Enumerable.Range(0, 500).Select(i => new TaskSend("proj.n", $"[{i}]", Options: new SendOptions { Queue = queue })).ToList();

        var ids = await client.SendManyAsync(sends);

        Assert.Equal(500, ids.Distinct().Count());
        foreach (var id in new[] { ids[0], ids[250], ids[499] })
            Assert.Equal(TaskStates.Pending, (await store.GetAsync(id))!.Status);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(500u, await Broker.CountAsync(channel, queue));
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task A_publish_no_queue_receives_fails_and_the_pending_row_records_the_error(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var client = new TaskClient(store, _publisher);
        var id = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<TaskPublishException>(() => client.SendAsync("proj.lost",
            sendOptions: new SendOptions { TaskId = id, Exchange = "amq.direct", RoutingKey = "nobody.listens." + id }));

        Assert.Equal([id], error.FailedTaskIds);
        Assert.Contains("no queue is bound", error.Message);
        var row = await store.GetAsync(id);
        // Still PENDING, so Get-StaleTask reports it once it ages; the meta says why.
        Assert.Equal(TaskStates.Pending, row!.Status);
        Assert.Contains(TaskClient.PublishErrorKey, row.Meta);
        Assert.Contains("no queue is bound", row.Meta);
    }

    [Fact]
    public async Task A_batch_with_one_message_no_queue_receives_marks_exactly_that_row_and_delivers_the_rest()
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        var queue = Broker.NewQueue("partly");
        var client = new TaskClient(store, _publisher);
        var lost = Guid.NewGuid().ToString();
        var sends = Enumerable.Range(0, 300).Select(i => new TaskSend("proj.n", $"[{i}]", Options: new SendOptions { Queue = queue }))
            .Append(new TaskSend("proj.lost", Options: new SendOptions { TaskId = lost, Exchange = "amq.direct", RoutingKey = "nobody.listens." + lost }))
            .ToList();

        var error = await Assert.ThrowsAsync<TaskPublishException>(() => client.SendManyAsync(sends));

        Assert.Equal([lost], error.FailedTaskIds);
        Assert.Contains("1 of 301 tasks were not confirmed", error.Message);
        Assert.Contains(TaskClient.PublishErrorKey, (await store.GetAsync(lost))!.Meta);
        var rows = await store.QueryAsync(new TaskQuery { Name = "proj.n" }).ToListAsync();
        Assert.Equal(300, rows.Count);
        Assert.All(rows, row => Assert.Equal((TaskStates.Pending, (string?)null), (row.Status, row.Meta)));
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(300u, await Broker.CountAsync(channel, queue));
    }

    [Fact]
    public async Task Send_refuses_bad_input_with_an_argument_error_and_writes_nothing()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var client = new TaskClient(store, _publisher);

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("proj.x", args: """{"a": 1}"""));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("proj.x", args: "[1,"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("proj.x", kwargs: "[1]"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("proj.x", sendOptions: new SendOptions { TaskId = new string('x', 256) }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync("proj.x",
            sendOptions: new SendOptions { Eta = DateTimeOffset.UtcNow, Countdown = TimeSpan.FromSeconds(1) }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SendAsync("proj.x", sendOptions: new SendOptions { Countdown = TimeSpan.FromSeconds(-1) }));
        Assert.Empty(await new WorkerStore(store).GetWorkersAsync());
    }

    [Theory]
    [MemberData(nameof(Stores.Providers), MemberType = typeof(Stores))]
    public async Task Retry_sends_the_task_again_under_a_new_id_once(DatabaseProvider provider)
    {
        var store = Stores.New(provider);
        var queue = Broker.NewQueue("retry");
        var client = new TaskClient(store, _publisher);
        var id = await client.SendAsync("proj.add", "[2, 3]", sendOptions: new SendOptions { Queue = queue });

        var first = await client.RetryAsync(id);
        var second = await client.RetryAsync(id);
        var missing = await client.RetryAsync("no-such-task");

        Assert.True(first.Sent);
        Assert.Equal((id, "proj.add", "[2, 3]", queue), (first.NewTask!.RetriedFrom, first.NewTask.TaskName, first.NewTask.Args, first.NewTask.RoutingKey));
        Assert.Equal(first.NewTask.TaskId, (await store.GetAsync(id))!.RetriedAs);
        Assert.Equal(TaskStates.Pending, (await store.GetAsync(first.NewTask.TaskId))!.Status);
        Assert.Equal(RetryClaim.AlreadyRetried, second.Claim);
        Assert.Equal(RetryClaim.NotFound, missing.Claim);
        await using var channel = await Broker.RawChannelAsync();
        Assert.Equal(2u, await Broker.CountAsync(channel, queue));
    }
}
