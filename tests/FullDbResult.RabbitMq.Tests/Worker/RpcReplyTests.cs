using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Worker;

/// <summary>What our worker publishes to a message's reply_to, read raw from the reply queue.</summary>
public sealed class RpcReplyTests
{
    [Fact]
    public async Task A_message_with_reply_to_gets_started_then_its_outcome_and_one_that_ignores_its_result_gets_nothing()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("demo.add", (int x, int y) => x + y));
        var channel = await Broker.RawChannelAsync();
        var replies = Broker.NewQueue("replies");
        await Broker.DeclareAsync(channel, replies);
        await using var publisher = new RabbitMqTaskPublisher(running.Connection);
        var (wanted, ignored) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());

        await publisher.PublishAsync([
            new TaskMessage { Id = ignored, Name = "demo.add", Args = "[1, 1]", RoutingKey = running.Queue, ReplyTo = replies, IgnoreResult = true },
            new TaskMessage { Id = wanted, Name = "demo.add", Args = "[2, 3]", RoutingKey = running.Queue, ReplyTo = replies }]);
        await Eventually.StatusAsync(store, ignored, TaskStates.Success);
        await Eventually.StatusAsync(store, wanted, TaskStates.Success);

        var started = await Broker.GetAsync(channel, replies);
        var outcome = await Broker.GetAsync(channel, replies);
        Assert.Equal((wanted, wanted), (started!.BasicProperties.CorrelationId, outcome!.BasicProperties.CorrelationId));
        using var startedBody = JsonDocument.Parse(started.Body);
        using var outcomeBody = JsonDocument.Parse(outcome.Body);
        Assert.Equal(("STARTED", running.Worker.Options.WorkerName), (startedBody.RootElement.GetProperty("status").GetString(), startedBody.RootElement.GetProperty("result").GetProperty("hostname").GetString()));
        Assert.Equal(("SUCCESS", 5, wanted), (outcomeBody.RootElement.GetProperty("status").GetString(), outcomeBody.RootElement.GetProperty("result").GetInt32(), outcomeBody.RootElement.GetProperty("task_id").GetString()));
        Assert.Null(await Broker.GetAsync(channel, replies, TimeSpan.FromSeconds(1)));
    }
}
