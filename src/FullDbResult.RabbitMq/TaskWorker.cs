using FullDbResult.Storage;
using FullDbResult.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Runs registered tasks from RabbitMQ queues and records every outcome in the store. Acknowledges a message
/// only after its outcome is stored (acks late): a crash mid-task redelivers it. What cannot be run (unknown
/// task, bad body, pickle, too large) is recorded when its id can be read and moved to the queue's dead-letter
/// queue; the worker goes on. What a message means and when it may be settled is decided by the core's
/// <see cref="WorkerEngine"/>; this class declares, consumes, and acknowledges, requeues or dead-letters as told.
/// </summary>
/// <remarks>
/// Dead letters are republished by the worker (with confirms, then the original is acknowledged) rather than
/// rejected into an x-dead-letter-exchange: that queue argument would make our declaration of a queue differ
/// from Celery's, and RabbitMQ refuses a second declaration with other arguments, so Python producers and
/// workers sharing the queue would fail.
/// </remarks>
public sealed class TaskWorker : IAsyncDisposable
{
    /// <summary>Headers a dead letter carries: why it was rejected, and from which queue.</summary>
    public const string ReasonHeader = "x-fulldbresult-reason";
    public const string ErrorHeader = "x-fulldbresult-error";
    public const string QueueHeader = "x-fulldbresult-queue";

    private static readonly CreateChannelOptions ConfirmedChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly RabbitMqConnection connection;
    private readonly TaskWorkerOptions options;
    private readonly ILogger logger;
    private readonly RabbitMqTaskPublisher retryPublisher;
    private readonly WorkerEngine engine;
    private readonly Dictionary<string, string> queueByConsumerTag = new();
    private IChannel? consumeChannel;
    private IChannel? deadLetterChannel;
    private DeadLetterPublisher? deadLetters;
    private bool stopped;

    public TaskWorker(RabbitMqConnection connection, TaskStore store, TaskWorkerOptions? options = null, ILogger<TaskWorker>? logger = null)
    {
        this.connection = connection ?? throw new ArgumentNullException(nameof(connection));
        ArgumentNullException.ThrowIfNull(store);
        this.options = options ?? new TaskWorkerOptions();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        retryPublisher = new RabbitMqTaskPublisher(connection, clock: this.options.Clock);
        engine = new WorkerEngine(store, retryPublisher, this.options, this.logger);
    }

    public TaskWorkerOptions Options => options;

    /// <summary>How many tasks are running now.</summary>
    public int Running => engine.Running;

    /// <summary>
    /// Registers the handler for <paramref name="taskName"/>. Positional args bind to its parameters in order,
    /// kwargs by name; parameters of type <see cref="TaskContext"/> and <see cref="CancellationToken"/> are supplied.
    /// Its return value (awaited if a task) is stored as the JSON result. Register before <see cref="StartAsync"/>.
    /// </summary>
    public TaskWorker Register(string taskName, Delegate handler)
    {
        engine.Register(taskName, handler);
        return this;
    }

    /// <summary>Declares the queues and their dead-letter queues, starts consuming and writing heartbeats.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await engine.StartAsync(cancellationToken);

        consumeChannel = await connection.CreateChannelAsync(
            new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)options.Concurrency), cancellationToken);
        deadLetterChannel = await connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
        deadLetters = new DeadLetterPublisher(deadLetterChannel);
        var prefetch = (ushort)Math.Clamp(options.Prefetch ?? options.DefaultPrefetch, 1, ushort.MaxValue);
        await consumeChannel.BasicQosAsync(0, prefetch, global: false, cancellationToken);
        foreach (var queue in options.Queues)
        {
            await DeclareAsync(queue, cancellationToken);
            await DeclareAsync(queue + options.DeadLetterSuffix, cancellationToken);
        }

        var consumer = new AsyncEventingBasicConsumer(consumeChannel);
        consumer.ReceivedAsync += OnReceivedAsync;
        foreach (var queue in options.Queues)
        {
            var tag = await consumeChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
            lock (queueByConsumerTag) queueByConsumerTag[tag] = queue;
        }
        logger.LogInformation("Worker {Worker} consumes {Queues} from {Broker} with concurrency {Concurrency}, prefetch {Prefetch}; tasks: {Tasks}",
            options.WorkerName, string.Join(", ", options.Queues), connection.RedactedUrl, options.Concurrency, prefetch, string.Join(", ", engine.TaskNames));
    }

    /// <summary>
    /// Stops consuming, waits for running tasks up to <see cref="WorkerOptions.ShutdownTimeout"/>, then cancels
    /// the rest; every message not acknowledged goes back to its queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (stopped || consumeChannel is null) return;
        stopped = true;
        try
        {
            await engine.DrainAsync(async () =>
            {
                List<string> tags;
                lock (queueByConsumerTag) tags = queueByConsumerTag.Keys.ToList();
                foreach (var tag in tags)
                    await Quietly(() => consumeChannel.BasicCancelAsync(tag, noWait: false, cancellationToken));
            }, cancellationToken);
        }
        finally
        {
            // Closing the channel returns whatever it still holds unacknowledged to the queue; it is done even
            // when the caller stopped waiting, which is when it matters most.
            await Quietly(() => consumeChannel.CloseAsync(CancellationToken.None));
            await Quietly(() => deadLetterChannel!.CloseAsync(CancellationToken.None));
            await engine.StopAsync(CancellationToken.None);
            await retryPublisher.DisposeAsync();
            logger.LogInformation("Worker {Worker} stopped", options.WorkerName);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await engine.DisposeAsync();
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        string queue;
        lock (queueByConsumerTag) queue = queueByConsumerTag.GetValueOrDefault(delivery.ConsumerTag, delivery.RoutingKey);
        await engine.HandleAsync(new RabbitMqDelivery(channel, delivery, queue, queue + options.DeadLetterSuffix, deadLetters!));
    }

    private Task DeclareAsync(string queue, CancellationToken cancellationToken) =>
        // As Celery declares its queues: durable, no arguments, so that both sides may declare the same queue.
        consumeChannel!.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);

    private async Task Quietly(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            logger.LogDebug("Worker {Worker}: ignored during stop or settle: {Error}", options.WorkerName, ex.Message);
        }
    }
}
