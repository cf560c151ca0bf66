using FullDbResult.Storage;
using FullDbResult.Testing;

namespace FullDbResult.RabbitMq.Tests.Support;

/// <summary>A started worker on its own connection and queue, stopped when the test ends.</summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private RunningWorker(TaskWorker worker, RabbitMqConnection connection, string queue)
    {
        Worker = worker;
        Connection = connection;
        Queue = queue;
    }

    public TaskWorker Worker { get; }
    public RabbitMqConnection Connection { get; }
    public string Queue { get; }
    public string DeadLetterQueue => Connection.Queues.DeadLetterQueueOf(Queue);

    /// <summary>
    /// Starts a worker on <paramref name="queue"/> (a new one when null) after <paramref name="register"/> adds its
    /// handlers, on <paramref name="connection"/> (which it then owns) or else a new one to <paramref name="server"/>.
    /// </summary>
    public static async Task<RunningWorker> StartAsync(TaskStore store, Action<TaskWorker> register, string? queue = null, TaskWorkerOptions? options = null, RabbitMqServer? server = null, RabbitMqConnection? connection = null)
    {
        queue ??= Broker.NewQueue("worker");
        connection ??= Broker.Connect(server);
        var worker = new TaskWorker(connection, store, (options ?? new TaskWorkerOptions()) with { Queues = [queue] });
        register(worker);
        await worker.StartAsync();
        return new RunningWorker(worker, connection, queue);
    }

    public async ValueTask DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
