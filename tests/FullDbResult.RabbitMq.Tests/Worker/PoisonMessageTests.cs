using System.Text;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Worker;

/// <summary>Messages the worker cannot run: each is recorded when its id can be read, moved to the dead-letter queue, and the worker goes on.</summary>
public sealed class PoisonMessageTests
{
    private const int MaxBodyBytes = 4096;

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

    [Fact]
    public async Task A_message_without_a_readable_id_is_dead_lettered_without_a_row()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y));
        await using var channel = await Broker.RawChannelAsync();
        var wire = Encode("will-be-removed", "demo.add", "[1, 2]");
        wire.Headers.Remove("id");

        await PublishAsync(channel, running.Queue, wire with { CorrelationId = null });

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

    private static WireMessage Poison(string kind, string id) => kind switch
    {
        "unknown task" => Encode(id, "demo.nobody", "[1, 2]"),
        "body not json" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("[[1, 2], {") },
        "two-element body" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("[[1, 2], {}]") },
        "args not an array" => Encode(id, "demo.add", "[1, 2]") with { Body = Encoding.UTF8.GetBytes("""[{"x": 1}, {}, {}]""") },
        "pickle" => Encode(id, "demo.add", "[1, 2]") with { ContentType = "application/x-python-serialize", Body = new byte[] { 0x80, 0x04, 0x95, 0x2e } },
        "over the size limit" => Encode(id, "demo.add", $"[\"{new string('x', MaxBodyBytes)}\", 2]"),
        "retries header a string" => WithHeader(Encode(id, "demo.add", "[1, 2]"), "retries", "3"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

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
