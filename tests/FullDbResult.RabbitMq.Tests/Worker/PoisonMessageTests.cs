using System.Text;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Worker;

/// <summary>Messages the worker cannot run: each is recorded when its id can be read, moved to the dead-letter queue, and the worker goes on.</summary>
public sealed class PoisonMessageTests
{
    private const int MaxBodyBytes = 4096;
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    [Theory]
    [InlineData("unknown task", "UnknownTask")]
    [InlineData("body not json", "InvalidJson")]
    [InlineData("two-element body", "InvalidBodyShape")]
    [InlineData("args not an array", "ArgsNotArray")]
    [InlineData("pickle", "UnsupportedContentType")]
    [InlineData("over the size limit", "BodyTooLarge")]
    [InlineData("retries header a string", "InvalidHeader")]
    public async Task A_message_that_cannot_run_is_recorded_as_failure_and_dead_lettered_and_the_worker_goes_on(string kind, string reason)
    {
        var store = Stores.New(DatabaseProvider.PostgreSql);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y),
            options: new TaskWorkerOptions { MaxBodyBytes = MaxBodyBytes });
        var id = Guid.NewGuid().ToString();
        await using var channel = await Broker.RawChannelAsync();

        await PublishAsync(channel, running.Queue, Poison(kind, id));

        var row = await Eventually.StatusAsync(store, id, TaskStates.Failure);
        Assert.Contains(reason, row.Result);
        Assert.Contains(running.DeadLetterQueue, row.Meta);
        Assert.Equal(kind == "unknown task" ? "demo.nobody" : "demo.add", row.TaskName);
        var dead = await Broker.GetAsync(channel, running.DeadLetterQueue);
        Assert.NotNull(dead);
        Assert.Equal(reason, Header(dead, TaskWorker.ReasonHeader));
        Assert.Equal(running.Queue, Header(dead, TaskWorker.QueueHeader));
        Assert.Equal(id, Header(dead, "id"));
        Assert.Equal(0u, await Broker.CountAsync(channel, running.Queue));

        var good = Guid.NewGuid().ToString();
        await PublishAsync(channel, running.Queue, Encode(good, "demo.add", "[1, 2]"));
        Assert.Equal("3", (await Eventually.StatusAsync(store, good, TaskStates.Success)).Result);
    }

    [Theory]
    [InlineData("two-element body")]
    [InlineData("no content type")]
    [InlineData("no id")]
    [InlineData("unknown task")]
    [InlineData("body not json")]
    [InlineData("pickle")]
    public async Task A_poison_message_ends_in_exactly_one_place_the_dead_letter_queue(string kind)
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y),
            options: new TaskWorkerOptions { MaxBodyBytes = MaxBodyBytes });
        await using var channel = await Broker.RawChannelAsync();
        var id = Guid.NewGuid().ToString();

        await PublishAsync(channel, running.Queue, kind == "no id" ? WithoutId(Encode(id, "demo.add", "[1, 2]")) : Poison(kind, id));

        await AssertOneDeadLetterAndAGoodTaskStillRunsAsync(store, running, channel);
    }

    [Theory]
    [InlineData("two-element-body")]
    [InlineData("no-content-type")]
    public async Task A_poison_message_from_a_python_producer_ends_in_exactly_one_place_the_dead_letter_queue(string kind)
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y));
        await using var channel = await Broker.RawChannelAsync();
        var id = Guid.NewGuid().ToString();

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_poison.py"), [running.Queue, kind, id],
            new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = Broker.Url });
        Assert.True(sent.Succeeded, sent.ToString());
        await Eventually.StatusAsync(store, id, TaskStates.Failure);

        await AssertOneDeadLetterAndAGoodTaskStillRunsAsync(store, running, channel);
    }

    [Fact]
    public async Task Poison_messages_waiting_in_a_burst_each_end_in_exactly_one_place_the_dead_letter_queue()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("burst");
        await using var channel = await Broker.RawChannelAsync();
        await Broker.DeclareAsync(channel, queue);
        string[] kinds = ["two-element body", "no content type", "unknown task", "body not json", "pickle", "over the size limit", "retries header a string", "args not an array"];
        foreach (var kind in kinds)
            await PublishAsync(channel, queue, Poison(kind, Guid.NewGuid().ToString()));
        await PublishAsync(channel, queue, WithoutId(Encode("no-id", "demo.add", "[1, 2]")));

        var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y), queue,
            new TaskWorkerOptions { MaxBodyBytes = MaxBodyBytes, Concurrency = 4 });
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.DeadLetterQueue) == kinds.Length + 1, "the dead letters");
        await running.DisposeAsync();

        Assert.Equal(((uint)kinds.Length + 1, 0u), (await Broker.CountAsync(channel, running.DeadLetterQueue), await Broker.CountAsync(channel, queue)));
    }

    [Fact]
    public async Task A_message_without_a_readable_id_is_dead_lettered_without_a_row()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y));
        await using var channel = await Broker.RawChannelAsync();
        await PublishAsync(channel, running.Queue, WithoutId(Encode("will-be-removed", "demo.add", "[1, 2]")));

        var dead = await Broker.GetAsync(channel, running.DeadLetterQueue);
        Assert.NotNull(dead);
        Assert.Equal(nameof(DecodeFailureReason.MissingTaskId), Header(dead, TaskWorker.ReasonHeader));
        Assert.Null(await store.GetAsync("will-be-removed"));
    }

    [Fact]
    public async Task A_rejected_message_of_our_own_producer_updates_its_pending_row()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, _ => { });
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);

        var id = await new Publishing.TaskClient(store, publisher).SendAsync("demo.unregistered", "[1]",
            sendOptions: new Publishing.SendOptions { Queue = running.Queue });

        var row = await Eventually.StatusAsync(store, id, TaskStates.Failure);
        Assert.Equal(("demo.unregistered", "[1]"), (row.TaskName, row.Args));
        Assert.Contains("No handler is registered for task 'demo.unregistered'", row.Result);
    }

    // Stopping the worker closes its consume channel, which returns to the queue whatever it never acknowledged:
    // only then does an empty task queue prove the poison message was acknowledged.
    private static async Task AssertOneDeadLetterAndAGoodTaskStillRunsAsync(TaskStore store, RunningWorker running, IChannel channel)
    {
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, running.DeadLetterQueue) == 1, "the dead letter");
        var good = Guid.NewGuid().ToString();
        await PublishAsync(channel, running.Queue, Encode(good, "demo.add", "[1, 2]"));
        Assert.Equal("3", (await Eventually.StatusAsync(store, good, TaskStates.Success)).Result);
        await running.DisposeAsync();

        Assert.Equal((1u, 0u), (await Broker.CountAsync(channel, running.DeadLetterQueue), await Broker.CountAsync(channel, running.Queue)));
    }

    private static WireMessage Poison(string kind, string id) => kind switch
    {
        "unknown task" => Encode(id, "demo.nobody", "[1, 2]"),
        "body not json" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("[[1, 2], {") },
        "two-element body" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("[[1, 2], {}]") },
        "args not an array" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("""[{"x": 1}, {}, {}]""") },
        "no content type" => Encode(id, "demo.add", "[1, 2]") with { ContentType = null },
        "pickle" => Encode(id, "demo.add", "[1, 2]") with { ContentType = "application/x-python-serialize", Body = new byte[] { 0x80, 0x04, 0x95, 0x2e } },
        "over the size limit" => Encode(id, "demo.add", $"[\"{new string('x', MaxBodyBytes)}\", 2]"),
        "retries header a string" => WithHeader(Encode(id, "demo.add", "[1, 2]"), "retries", "3"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static WireMessage WithoutId(WireMessage wire)
    {
        wire.Headers.Remove("id");
        return wire with { CorrelationId = null };
    }

    private static WireMessage Encode(string id, string name, string args) =>
        CeleryProtocol.Encode(new TaskMessage { Id = id, Name = name, Args = args });

    private static WireMessage WithHeader(WireMessage wire, string name, object? value)
    {
        wire.Headers[name] = value;
        return wire;
    }

    private static async Task PublishAsync(IChannel channel, string queue, WireMessage wire) =>
        await channel.BasicPublishAsync("", queue, false, RabbitMqWire.ToProperties(wire), wire.Body);

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
