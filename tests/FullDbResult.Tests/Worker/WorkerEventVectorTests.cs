using System.Collections.Concurrent;
using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.Storage;
using FullDbResult.Tests.Scheduling;
using FullDbResult.Tests.Storage;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Worker;

/// <summary>
/// The events our worker publishes against what a Celery 5.2 worker started with -E really sent
/// (vectors/worker_sent_events.json): same exchange, routing keys, properties, header, and for each event type
/// the same keys in the same order.
/// </summary>
public sealed class WorkerEventVectorTests
{
    private static readonly JsonElement Vector = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "worker_sent_events.json"))).RootElement;

    [Fact]
    public async Task Each_event_type_our_worker_sends_has_the_keys_in_the_order_a_celery_worker_sends_them()
    {
        var sent = await RunWorkerAsync(new WorkerOptions { SendEvents = true, WorkerName = "ours@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });

        var celery = Events(Vector.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body")));
        var ours = Events(sent.Select(m => JsonDocument.Parse(m.Body).RootElement));
        foreach (var type in new[] { "worker-online", "worker-offline", "task-received", "task-started", "task-succeeded", "task-failed", "task-retried", "task-revoked" })
        {
            Assert.True(ours.ContainsKey(type), $"our worker sent no {type}");
            Assert.Equal(Keys(celery[type][0]), Keys(ours[type][0]));
        }
        Assert.Equal("5", ours["task-succeeded"][0].GetProperty("result").GetString());
        Assert.Equal("InvalidOperationException('boom')", ours["task-failed"].First(e => e.TryGetProperty("traceback", out _)).GetProperty("exception").GetString());
        // Celery's event for a task without a handler (Consumer.on_unknown_task) has no traceback.
        var notRegistered = ours["task-failed"].Single(e => !e.TryGetProperty("traceback", out _));
        Assert.Equal("NotRegistered('demo.nobody')", notRegistered.GetProperty("exception").GetString());
        Assert.Equal(("[2, 3]", 0, 1), (ours["task-received"][0].GetProperty("args").GetString(), ours["task-received"][0].GetProperty("retries").GetInt32(), ours["worker-online"][0].GetProperty("clock").GetInt64()));
        Assert.True(ours["task-revoked"][0].GetProperty("expired").GetBoolean());
    }

    [Fact]
    public async Task Our_events_travel_as_a_celery_worker_sends_them_task_events_as_task_multi_lists_and_worker_events_alone()
    {
        var sent = await RunWorkerAsync(new WorkerOptions { SendEvents = true, WorkerName = "ours@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });

        var real = Vector.GetProperty("messages").EnumerateArray().First(m => m.GetProperty("delivery_info").GetProperty("routing_key").GetString() == "task.multi");
        var properties = real.GetProperty("properties");
        Assert.All(sent, message =>
        {
            Assert.Equal(real.GetProperty("delivery_info").GetProperty("exchange").GetString(), message.Exchange);
            Assert.Equal(properties.GetProperty("content_type").GetString(), message.ContentType);
            Assert.Equal(properties.GetProperty("content_encoding").GetString(), message.ContentEncoding);
            Assert.Equal((byte?)properties.GetProperty("delivery_mode").GetByte(), message.DeliveryMode);
            Assert.Equal((byte?)properties.GetProperty("priority").GetByte(), message.Priority);
            Assert.Equal(["hostname"], message.Headers.Keys);
            Assert.Equal("ours@test", message.Headers["hostname"]);
            using var body = JsonDocument.Parse(message.Body);
            if (message.RoutingKey == "task.multi")
                Assert.All(body.RootElement.EnumerateArray(), e => Assert.StartsWith("task-", e.GetProperty("type").GetString()));
            else
                Assert.Equal(message.RoutingKey, body.RootElement.GetProperty("type").GetString()!.Replace('-', '.'));
        });
        Assert.Contains(sent, m => m.RoutingKey == "worker.online");
        Assert.Equal("worker.offline", sent.Last().RoutingKey);
    }

    [Fact]
    public async Task A_worker_sends_no_events_unless_asked_as_celery_sends_none_without_dash_E()
    {
        var sent = await RunWorkerAsync(new WorkerOptions { WorkerName = "ours@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });

        Assert.Empty(sent);
    }

    /// <summary>Runs a succeeding, a failing, a retried, an expired and an unknown task through an engine, stops it, and returns what it published.</summary>
    private static async Task<List<WireMessage>> RunWorkerAsync(WorkerOptions options)
    {
        var store = TestStores.NewStore(DatabaseProvider.Sqlite);
        var retries = new RecordingPublisher();
        var published = new CapturingPublisher();
        await using var engine = new WorkerEngine(store, retries, options, messagePublisher: published);
        engine.Register("demo.add", (int x, int y) => x + y);
        engine.Register("demo.fail", new Func<int>(() => throw new InvalidOperationException("boom")));
        engine.Register("demo.flaky", (TaskContext context) => context.Retries == 0 ? throw context.Retry(TimeSpan.Zero) : 1);
        await engine.StartAsync();

        await HandleAsync(engine, store, new TaskMessage { Id = "t-add", Name = "demo.add", Args = "[2, 3]" });
        await HandleAsync(engine, store, new TaskMessage { Id = "t-fail", Name = "demo.fail" });
        await HandleAsync(engine, store, new TaskMessage { Id = "t-flaky", Name = "demo.flaky" });
        await HandleAsync(engine, store, Assert.Single(retries.Sent).Message);
        await HandleAsync(engine, store, new TaskMessage { Id = "t-expired", Name = "demo.add", Args = "[1, 1]", Expires = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await HandleAsync(engine, store, new TaskMessage { Id = "t-unknown", Name = "demo.nobody" });

        await engine.DrainAsync(() => Task.CompletedTask);
        await engine.StopAsync();
        return [.. published.Messages];
    }

    private static async Task HandleAsync(WorkerEngine engine, TaskStore store, TaskMessage message)
    {
        var delivery = new FakeDelivery(CeleryProtocol.Encode(message), store);
        await engine.HandleAsync(delivery);
        await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Dictionary<string, List<JsonElement>> Events(IEnumerable<JsonElement> bodies) =>
        bodies.SelectMany(b => b.ValueKind == JsonValueKind.Array ? b.EnumerateArray().ToList() : [b])
            .GroupBy(e => e.GetProperty("type").GetString()!)
            .ToDictionary(g => g.Key, g => g.ToList());

    private static List<string> Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();

    private sealed class CapturingPublisher : IMessagePublisher
    {
        public ConcurrentQueue<WireMessage> Messages { get; } = new();

        public Task PublishAsync(WireMessage message, CancellationToken cancellationToken)
        {
            Messages.Enqueue(message);
            return Task.CompletedTask;
        }
    }
}
