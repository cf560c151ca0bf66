using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Cluster;

/// <summary>Task queues and dead-letter queues declared as quorum queues, with our clients and with Python Celery 5.2.</summary>
public sealed class QuorumQueueTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Cluster", "python");
    private static readonly QueueDeclarations Quorum = new() { DefaultType = QueueType.Quorum };

    [Fact]
    public async Task A_quorum_worker_declares_its_queue_and_dead_letter_queue_as_quorum_with_the_delivery_limit()
    {
        var queue = Broker.NewQueue("quorum");
        await using var running = await RunningWorker.StartAsync(Stores.New(DatabaseProvider.Sqlite), _ => { }, queue,
            connection: QuorumConnection(Quorum with { DeliveryLimit = 7 }));

        var listed = RabbitMqServer.Shared.RunCtl("list_queues", "-q", "--no-table-headers", "name", "type", "arguments")
            .Split('\n').Where(line => line.StartsWith(queue, StringComparison.Ordinal)).ToDictionary(line => line.Split('\t')[0]);
        Assert.Contains("\tquorum\t", listed[queue]);
        Assert.Contains("{\"x-delivery-limit\",7}", listed[queue].Replace(" ", ""));
        Assert.Contains($"{{\"x-dead-letter-routing-key\",\"{queue}.dead_letter\"}}", listed[queue].Replace(" ", ""));
        Assert.Contains("\tquorum\t", listed[running.DeadLetterQueue]);
    }

    [Fact]
    public async Task A_task_published_before_any_worker_declared_its_quorum_queue_runs_when_the_worker_starts()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("quorum-first");
        await using var connection = QuorumConnection(Quorum);
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var id = await new TaskClient(store, publisher).SendAsync("quorum.add", "[2, 3]", null, new SendOptions { Queue = queue });

        await using var running = await RunningWorker.StartAsync(store, w => w.Register("quorum.add", (int x, int y) => x + y), queue,
            connection: QuorumConnection(Quorum));

        Assert.Equal("5", (await Eventually.StatusAsync(store, id, TaskStates.Success)).Result);
    }

    [Fact]
    public async Task A_worker_refuses_with_a_clear_error_a_queue_that_exists_as_another_type()
    {
        var queue = Broker.NewQueue("classic-already");
        var raw = await Broker.RawChannelAsync();
        await Broker.DeclareAsync(raw, queue);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RunningWorker.StartAsync(Stores.New(DatabaseProvider.Sqlite), _ => { }, queue, connection: QuorumConnection(Quorum)));

        Assert.Contains($"The queue '{queue}' exists with other arguments", error.Message);
        Assert.Contains("PRECONDITION_FAILED - inequivalent arg", error.Message);
    }

    [Fact]
    public async Task The_broker_dead_letters_a_message_requeued_more_often_than_the_delivery_limit()
    {
        var queue = Broker.NewQueue("poison-loop");
        await using (var declaring = await RunningWorker.StartAsync(Stores.New(DatabaseProvider.Sqlite), _ => { }, queue,
            connection: QuorumConnection(Quorum with { DeliveryLimit = 2 })))
        {
        }

        var raw = await Broker.RawChannelAsync();
        await raw.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { DeliveryMode = DeliveryModes.Persistent }, "x"u8.ToArray());
        // A consumer that dies on the message every time: it comes back until the broker gives up on it.
        for (var delivery = 0; delivery < 3; delivery++)
        {
            var got = await Broker.GetAsync(raw, queue, autoAck: false);
            Assert.NotNull(got);
            await raw.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true);
        }

        Assert.NotNull(await Broker.GetAsync(raw, queue + ".dead_letter"));
        Assert.Equal(0u, await Broker.CountAsync(raw, queue));
    }

    [Fact]
    public async Task A_python_celery_worker_configured_for_quorum_queues_runs_our_task_from_our_quorum_queue()
    {
        var queue = Broker.NewQueue("quorum-to-python");
        await using var connection = QuorumConnection(Quorum);
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var path = Path.Combine(Path.GetTempPath(), $"fulldbresult-quorum-{Guid.NewGuid():N}.txt");
        // Our publisher declares the queue first: Celery's declaration must match it, or Celery fails with 406.
        var id = await new TaskClient(Stores.New(DatabaseProvider.Sqlite), publisher)
            .SendAsync("quorum.write", $"[\"{path}\", \"quorum\"]", null, new SendOptions { Queue = queue });

        using var celery = CeleryPython.StartWorker(PythonDirectory, "quorum_app", [queue], ["--pool", "solo"], PythonEnvironment(queue));

        await Eventually.WaitAsync(() => Task.FromResult(celery.Output.Contains($"[{id}] succeeded")), "the Python worker to run the task");
        Assert.Equal("quorum", await File.ReadAllTextAsync(path));
        Assert.DoesNotContain("ERROR", celery.Output);
    }

    [Fact]
    public async Task A_task_a_python_producer_sends_to_a_quorum_queue_runs_on_our_worker()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var queue = Broker.NewQueue("quorum-from-python");
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("quorum.add", (int x, int y) => x + y), queue,
            connection: QuorumConnection(Quorum));
        var id = Guid.NewGuid().ToString();

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_quorum.py"), [id], PythonEnvironment(queue));

        Assert.True(sent.Succeeded, sent.ToString());
        Assert.Equal("5", (await Eventually.StatusAsync(store, id, TaskStates.Success)).Result);
    }

    [Fact]
    public async Task A_python_celery_5_2_worker_left_on_global_qos_cannot_consume_a_quorum_queue()
    {
        var queue = Broker.NewQueue("quorum-global-qos");
        await using (await RunningWorker.StartAsync(Stores.New(DatabaseProvider.Sqlite), _ => { }, queue, connection: QuorumConnection(Quorum)))
        {
        }

        var environment = PythonEnvironment(queue);
        environment["CELERY_QUORUM_GLOBAL_QOS"] = "1";
        string output;
        try
        {
            using var celery = CeleryPython.StartWorker(PythonDirectory, "quorum_app", [queue], ["--pool", "solo"], environment, TimeSpan.FromSeconds(30));
            celery.WaitForOutput("does not support global qos", TimeSpan.FromSeconds(30));
            output = celery.Output;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            // It may never report ready: its consumer restarts until Celery gives up.
            output = ex.Message;
        }

        Assert.Contains("NOT_IMPLEMENTED", output);
        Assert.Contains($"queue '{queue}' in vhost '/' does not support global qos", output);
    }

    private static RabbitMqConnection QuorumConnection(QueueDeclarations queues) =>
        new(Broker.Url, "fulldbresult quorum tests") { Queues = queues };

    private static Dictionary<string, string?> PythonEnvironment(string queue) =>
        new() { ["CELERY_BROKER_URL"] = Broker.Url, ["CELERY_QUORUM_QUEUE"] = queue };
}
