using System.Net;
using FullDbResult.Protocol;
using FullDbResult.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Runs registered tasks from RabbitMQ queues and records every outcome in the store. Acknowledges a message
/// only after its outcome is stored (acks late): a crash mid-task redelivers it. What cannot be run (unknown
/// task, bad body, pickle, too large) is recorded when its id can be read and moved to the queue's dead-letter
/// queue; the worker goes on.
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
    private readonly TaskStore store;
    private readonly TaskWorkerOptions options;
    private readonly ILogger logger;
    private readonly Dictionary<string, TaskHandler> handlers = new(StringComparer.Ordinal);
    private readonly RabbitMqTaskPublisher retryPublisher;
    private readonly CancellationTokenSource forceStop = new();
    private readonly CancellationTokenSource stopHeartbeat = new();
    private readonly SemaphoreSlim deadLetterGate = new(1, 1);
    private readonly Dictionary<string, string> queueByConsumerTag = new();
    private TaskProcessor? processor;
    private TaskStateWriter? stateWriter;
    private IChannel? consumeChannel;
    private IChannel? deadLetterChannel;
    private Task? heartbeatLoop;
    private DateTime startedAt;
    private int running;
    private int settling;
    private volatile bool stopping;

    public TaskWorker(RabbitMqConnection connection, TaskStore store, TaskWorkerOptions? options = null, ILogger<TaskWorker>? logger = null)
    {
        this.connection = connection ?? throw new ArgumentNullException(nameof(connection));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.options = options ?? new TaskWorkerOptions();
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        if (this.options.Queues.Count == 0 || this.options.Queues.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("The worker needs at least one queue, and no queue name may be empty.", nameof(options));
        if (this.options.Concurrency is < 1 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), this.options.Concurrency, "Concurrency must be at least 1.");
        retryPublisher = new RabbitMqTaskPublisher(connection, clock: this.options.Clock);
    }

    public TaskWorkerOptions Options => options;

    /// <summary>How many tasks are running now.</summary>
    public int Running => Volatile.Read(ref running);

    /// <summary>
    /// Registers the handler for <paramref name="taskName"/>. Positional args bind to its parameters in order,
    /// kwargs by name; parameters of type <see cref="TaskContext"/> and <see cref="CancellationToken"/> are supplied.
    /// Its return value (awaited if a task) is stored as the JSON result. Register before <see cref="StartAsync"/>.
    /// </summary>
    public TaskWorker Register(string taskName, Delegate handler)
    {
        Tasks.TaskValidation.ValidateTaskName(taskName, nameof(taskName));
        ArgumentNullException.ThrowIfNull(handler);
        if (processor is not null) throw new InvalidOperationException("Register handlers before the worker starts.");
        handlers[taskName] = new TaskHandler(taskName, handler);
        return this;
    }

    /// <summary>Declares the queues and their dead-letter queues, starts consuming and writing heartbeats.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (processor is not null) throw new InvalidOperationException("The worker is already started.");
        stateWriter = new TaskStateWriter(store);
        processor = new TaskProcessor(store, stateWriter, handlers, retryPublisher, options, logger);
        startedAt = options.Clock.GetUtcNow().UtcDateTime;
        await WriteHeartbeatAsync(stopped: false, cancellationToken);

        consumeChannel = await connection.CreateChannelAsync(
            new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)options.Concurrency), cancellationToken);
        deadLetterChannel = await connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
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
        heartbeatLoop = HeartbeatLoopAsync();
        logger.LogInformation("Worker {Worker} consumes {Queues} from {Broker} with concurrency {Concurrency}, prefetch {Prefetch}; tasks: {Tasks}",
            options.WorkerName, string.Join(", ", options.Queues), connection.RedactedUrl, options.Concurrency, prefetch, string.Join(", ", handlers.Keys));
    }

    /// <summary>
    /// Stops consuming, waits for running tasks up to <see cref="TaskWorkerOptions.ShutdownTimeout"/>, then cancels
    /// the rest; every message not acknowledged goes back to its queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (stopping || consumeChannel is null) return;
        stopping = true;
        List<string> tags;
        lock (queueByConsumerTag) tags = queueByConsumerTag.Keys.ToList();
        foreach (var tag in tags)
            await Quietly(() => consumeChannel.BasicCancelAsync(tag, noWait: false, cancellationToken));

        if (!await WaitForIdleAsync(options.ShutdownTimeout, cancellationToken))
        {
            logger.LogWarning("Worker {Worker}: {Running} tasks still ran after {Timeout}; cancelling them", options.WorkerName, Running, options.ShutdownTimeout);
            await forceStop.CancelAsync();
            await WaitForIdleAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        // Closing the channel returns whatever it still holds unacknowledged to the queue.
        await Quietly(() => consumeChannel.CloseAsync(cancellationToken));
        await Quietly(() => deadLetterChannel!.CloseAsync(cancellationToken));
        await stateWriter!.DisposeAsync();
        await stopHeartbeat.CancelAsync();
        if (heartbeatLoop is not null) await heartbeatLoop;
        await Quietly(() => WriteHeartbeatAsync(stopped: true, cancellationToken));
        await retryPublisher.DisposeAsync();
        logger.LogInformation("Worker {Worker} stopped", options.WorkerName);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        forceStop.Dispose();
        stopHeartbeat.Dispose();
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        Interlocked.Increment(ref running);
        try
        {
            if (stopping)
            {
                await Quietly(() => channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true).AsTask());
                return;
            }
            string queue;
            lock (queueByConsumerTag) queue = queueByConsumerTag.GetValueOrDefault(delivery.ConsumerTag, delivery.RoutingKey);
            var wire = RabbitMqWire.FromDelivery(delivery);
            MessageDisposition disposition;
            try
            {
                disposition = await processor!.ProcessAsync(wire, queue, delivery.Redelivered, forceStop.Token);
            }
            catch (Exception ex)
            {
                disposition = await RequeueAfterFailureAsync(ex, delivery, queue);
            }
            if (disposition.Storing is null)
            {
                await SettleAsync(channel, delivery, wire, queue, disposition);
                return;
            }
            // The task is done; its outcome row is on its way. The next message runs meanwhile, and this one
            // is acknowledged when the row commits.
            Interlocked.Increment(ref settling);
            _ = SettleOnceStoredAsync(channel, delivery, wire, queue, disposition);
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }

    private async Task SettleOnceStoredAsync(IChannel channel, BasicDeliverEventArgs delivery, WireMessage wire, string queue, MessageDisposition disposition)
    {
        try
        {
            try
            {
                await disposition.Storing!;
            }
            catch (Exception ex)
            {
                disposition = await RequeueAfterFailureAsync(ex, delivery, queue);
            }
            await SettleAsync(channel, delivery, wire, queue, disposition);
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: what escapes must be logged here or be lost.
            logger.LogError(ex, "Worker {Worker}: message {DeliveryTag} from {Queue} was not settled; the broker redelivers it when the channel closes: {Error}",
                options.WorkerName, delivery.DeliveryTag, queue, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref settling);
        }
    }

    // The store or the broker failed us: nothing was stored, so the message goes back, after a pause that
    // keeps an outage from becoming a busy loop.
    private async Task<MessageDisposition> RequeueAfterFailureAsync(Exception ex, BasicDeliverEventArgs delivery, string queue)
    {
        logger.LogError(ex, "Worker {Worker}: message {DeliveryTag} from {Queue} goes back to the queue: {Error}",
            options.WorkerName, delivery.DeliveryTag, queue, ex.Message);
        await Quietly(() => Task.Delay(TimeSpan.FromSeconds(1), forceStop.Token));
        return MessageDisposition.Requeue;
    }

    private async Task SettleAsync(IChannel channel, BasicDeliverEventArgs delivery, WireMessage wire, string queue, MessageDisposition disposition)
    {
        try
        {
            switch (disposition.Action)
            {
                case MessageDisposition.Kind.Ack:
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    break;
                case MessageDisposition.Kind.Requeue:
                    await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
                    break;
                case MessageDisposition.Kind.DeadLetter:
                    await DeadLetterAsync(wire, queue, disposition);
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                    break;
            }
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or PublishException or IOException or RabbitMqUnavailableException)
        {
            // The channel died under us: the broker redelivers the message, and its stored outcome stops a second run.
            logger.LogWarning("Worker {Worker}: could not settle message {DeliveryTag} from {Queue} ({Action}): {Error}",
                options.WorkerName, delivery.DeliveryTag, queue, disposition.Action, ex.Message);
        }
    }

    private async Task DeadLetterAsync(WireMessage wire, string queue, MessageDisposition disposition)
    {
        var properties = RabbitMqWire.ToProperties(wire with { Expiration = null });
        // Header values as the client delivered them (strings as bytes) are turned back into strings.
        var headers = AmqpHeaderValues.Normalize(wire.Headers);
        headers[ReasonHeader] = disposition.Reason;
        headers[ErrorHeader] = disposition.Error;
        headers[QueueHeader] = queue;
        properties.Headers = headers;
        await deadLetterGate.WaitAsync();
        try
        {
            await deadLetterChannel!.BasicPublishAsync("", queue + options.DeadLetterSuffix, mandatory: true, properties, wire.Body);
        }
        finally
        {
            deadLetterGate.Release();
        }
    }

    private Task DeclareAsync(string queue, CancellationToken cancellationToken) =>
        // As Celery declares its queues: durable, no arguments, so that both sides may declare the same queue.
        consumeChannel!.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);

    private async Task<bool> WaitForIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = options.Clock.GetUtcNow() + timeout;
        while (Running > 0 || Volatile.Read(ref settling) > 0)
        {
            if (options.Clock.GetUtcNow() >= deadline) return false;
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopHeartbeat.Token))
            {
                try
                {
                    await WriteHeartbeatAsync(stopped: false, stopHeartbeat.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Worker {Worker}: heartbeat not written: {Error}", options.WorkerName, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private Task WriteHeartbeatAsync(bool stopped, CancellationToken cancellationToken)
    {
        var now = options.Clock.GetUtcNow().UtcDateTime;
        return new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat
        {
            WorkerName = options.WorkerName,
            Hostname = Dns.GetHostName(),
            Pid = Environment.ProcessId,
            Queues = string.Join(",", options.Queues),
            StartedAt = startedAt,
            LastHeartbeat = now,
            StoppedAt = stopped ? now : null,
        }, cancellationToken);
    }

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
