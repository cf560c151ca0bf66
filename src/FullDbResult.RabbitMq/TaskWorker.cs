using FullDbResult.RabbitMq.Control;
using FullDbResult.Storage;
using FullDbResult.Worker;
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

    private readonly RabbitMqConnection _connection;
    private readonly TaskWorkerOptions _options;
    private readonly ILogger _logger;
    private readonly RabbitMqTaskPublisher _retryPublisher;
    private readonly RabbitMqMessagePublisher _messages;
    private readonly WorkerEngine _engine;
    private readonly Dictionary<string, string> _queueByConsumerTag = new();
    private IChannel? _consumeChannel;
    private IChannel? _deadLetterChannel;
    private DeadLetterPublisher? _deadLetters;
    private PidboxConsumer? _pidbox;
    private bool _stopped;

    public TaskWorker(RabbitMqConnection connection, TaskStore store, TaskWorkerOptions? options = null, ILogger<TaskWorker>? logger = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        ArgumentNullException.ThrowIfNull(store);
        _options = options ?? new TaskWorkerOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _retryPublisher = new RabbitMqTaskPublisher(connection, clock: _options.Clock);
        _messages = new RabbitMqMessagePublisher(connection);
        _engine = new WorkerEngine(store, _retryPublisher, _options, _logger, _messages);
    }

    public TaskWorkerOptions Options => _options;

    /// <summary>How many tasks are running now.</summary>
    public int Running => _engine.Running;

    /// <summary>
    /// Registers the handler for <paramref name="taskName"/>. Positional args bind to its parameters in order,
    /// kwargs by name; parameters of type <see cref="TaskContext"/> and <see cref="CancellationToken"/> are supplied.
    /// Its return value (awaited if a task) is stored as the JSON result. Register before <see cref="StartAsync"/>.
    /// </summary>
    public TaskWorker Register(string taskName, Delegate handler)
    {
        _engine.Register(taskName, handler);
        return this;
    }

    /// <summary>Registers the handler for <paramref name="taskName"/> with its automatic retries and time limits.</summary>
    public TaskWorker Register(string taskName, Delegate handler, TaskHandlerOptions options)
    {
        _engine.Register(taskName, handler, options);
        return this;
    }

    /// <summary>Declares the queues and their dead-letter queues, starts consuming and writing heartbeats.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _engine.StartAsync(cancellationToken);

        _consumeChannel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)_options.Concurrency), cancellationToken);
        _deadLetterChannel = await _connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
        _deadLetters = new DeadLetterPublisher(_deadLetterChannel);
        var prefetch = (ushort)Math.Clamp(_options.Prefetch ?? _options.DefaultPrefetch, 1, ushort.MaxValue);
        await _consumeChannel.BasicQosAsync(0, prefetch, global: false, cancellationToken);
        foreach (var queue in _options.Queues)
        {
            await DeclareAsync(queue, Queues.TaskQueueArguments(queue), cancellationToken);
            await DeclareAsync(Queues.DeadLetterQueueOf(queue), Queues.DeadLetterQueueArguments(queue), cancellationToken);
        }

        var consumer = new AsyncEventingBasicConsumer(_consumeChannel);
        consumer.ReceivedAsync += OnReceivedAsync;
        foreach (var queue in _options.Queues)
        {
            var tag = await _consumeChannel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
            lock (_queueByConsumerTag) _queueByConsumerTag[tag] = queue;
        }
        if (_options.RemoteControl) _pidbox = await PidboxConsumer.StartAsync(_connection, _engine.Control, _logger, cancellationToken);
        _logger.LogInformation("Worker {Worker} consumes {Queues} from {Broker} with concurrency {Concurrency}, prefetch {Prefetch}; tasks: {Tasks}",
            _options.WorkerName, string.Join(", ", _options.Queues), _connection.RedactedUrl, _options.Concurrency, prefetch, string.Join(", ", _engine.TaskNames));
    }

    /// <summary>
    /// Stops consuming, waits for running tasks up to <see cref="WorkerOptions.ShutdownTimeout"/>, then cancels
    /// the rest; every message not acknowledged goes back to its queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopped || _consumeChannel is null) return;
        _stopped = true;
        try
        {
            await _engine.DrainAsync(async () =>
            {
                List<string> tags;
                lock (_queueByConsumerTag) tags = _queueByConsumerTag.Keys.ToList();
                foreach (var tag in tags)
                    await Quietly(() => _consumeChannel.BasicCancelAsync(tag, noWait: false, cancellationToken));
            }, cancellationToken);
        }
        finally
        {
            // Closing the channel returns whatever it still holds unacknowledged to the queue; it is done even
            // when the caller stopped waiting, which is when it matters most.
            if (_pidbox is not null) await _pidbox.DisposeAsync();
            await Quietly(() => _consumeChannel.CloseAsync(CancellationToken.None));
            await Quietly(() => _deadLetterChannel!.CloseAsync(CancellationToken.None));
            await _engine.StopAsync(CancellationToken.None);
            await _retryPublisher.DisposeAsync();
            await _messages.DisposeAsync();
            _logger.LogInformation("Worker {Worker} stopped", _options.WorkerName);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _engine.DisposeAsync();
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        string queue;
        lock (_queueByConsumerTag) queue = _queueByConsumerTag.GetValueOrDefault(delivery.ConsumerTag, delivery.RoutingKey);
        await _engine.HandleAsync(new RabbitMqDelivery(channel, delivery, queue, Queues.DeadLetterQueueOf(queue), _deadLetters!));
    }

    private QueueDeclarations Queues => _connection.Queues;

    // Durable, and with the connection's arguments (none for a classic queue, as Celery declares it), so that
    // every side may declare the same queue.
    private async Task DeclareAsync(string queue, Dictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        try
        {
            await _consumeChannel!.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            throw new InvalidOperationException(
                $"The queue '{queue}' exists with other arguments than this worker declares ({ex.ShutdownReason.ReplyText}). " +
                "A queue's type cannot change: drain and delete it, or declare another name; and give every producer and worker the same queue settings.", ex);
        }
    }

    private async Task Quietly(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Worker {Worker}: ignored during stop or settle: {Error}", _options.WorkerName, ex.Message);
        }
    }
}
