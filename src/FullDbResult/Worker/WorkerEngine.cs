using FullDbResult.Control;
using FullDbResult.Worker.Events;
using FullDbResult.Workflows;

namespace FullDbResult.Worker;

/// <summary>
/// The worker without its transport: runs registered handlers on the messages a transport hands it, stores
/// every outcome, and settles each message (ack, requeue or dead-letter) only after its outcome row commits,
/// so a crash at any point redelivers. Writes the worker's heartbeats, and stops gracefully: running tasks
/// finish, the rest go back. A transport (RabbitMQ's <c>TaskWorker</c>) consumes, calls
/// <see cref="HandleAsync"/> for each message and carries out what the engine decides through <see cref="IDelivery"/>.
/// </summary>
public sealed class WorkerEngine : IAsyncDisposable
{
    private readonly TaskStore _store;
    private readonly ITaskPublisher _retryPublisher;
    private readonly IMessagePublisher? _messagePublisher;
    private readonly WorkerOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TaskHandler> _handlers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _forceStop = new();
    private readonly WorkerHeartbeats _heartbeats;
    private TaskStateWriter? _writer;
    private TaskProcessor? _processor;
    private WorkerEvents? _events;
    private int _running;
    private int _settling;
    private volatile bool _stopping;

    /// <param name="retryPublisher">Sends a handler's retry (<see cref="TaskContext.Retry"/>) as a new message.</param>
    /// <param name="messagePublisher">Sends rpc results to a message's <c>reply_to</c>, and Celery events with <see cref="WorkerOptions.SendEvents"/>; null sends neither.</param>
    public WorkerEngine(TaskStore store, ITaskPublisher retryPublisher, WorkerOptions options, ILogger? logger = null, IMessagePublisher? messagePublisher = null)
    {
        _messagePublisher = messagePublisher;
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _retryPublisher = retryPublisher ?? throw new ArgumentNullException(nameof(retryPublisher));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? NullLogger.Instance;
        if (options.Queues.Count == 0 || options.Queues.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("The worker needs at least one queue, and no queue name may be empty.", nameof(options));
        if (options.Concurrency is < 1 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(options), options.Concurrency, "Concurrency must be at least 1.");
        _heartbeats = new WorkerHeartbeats(new WorkerStore(store), options, _logger);
        Control = new WorkerControl(store, options, () => TaskNames, _logger);
    }

    public WorkerOptions Options => _options;

    /// <summary>How many messages are being handled now (running, or being decided).</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Celery's remote control for this worker: a transport hands it the commands it receives.</summary>
    public WorkerControl Control { get; }

    /// <summary>The registered task names.</summary>
    public IReadOnlyCollection<string> TaskNames => _handlers.Keys;

    /// <summary>
    /// Registers the handler for <paramref name="taskName"/>. Positional args bind to its parameters in order,
    /// kwargs by name; parameters of type <see cref="TaskContext"/> and <see cref="CancellationToken"/> are supplied.
    /// Its return value (awaited if a task) is stored as the JSON result. Register before <see cref="StartAsync"/>.
    /// </summary>
    public void Register(string taskName, Delegate handler) => Register(taskName, handler, new TaskHandlerOptions());

    /// <summary>Registers the handler for <paramref name="taskName"/> with its retry policy and time limits.</summary>
    public void Register(string taskName, Delegate handler, TaskHandlerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TaskValidation.ValidateTaskName(taskName, nameof(taskName));
        ArgumentNullException.ThrowIfNull(handler);
        if (_processor is not null) throw new InvalidOperationException("Register handlers before the worker starts.");
        _handlers[taskName] = new TaskHandler(taskName, handler, options);
    }

    /// <summary>Writes the first heartbeat and gets ready for <see cref="HandleAsync"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_processor is not null) throw new InvalidOperationException("The worker is already started.");
        _writer = new TaskStateWriter(_store);
        new ChordParts(_store, _retryPublisher, _options.Clock, _logger).Register(_handlers);
        _events = new WorkerEvents(_messagePublisher, _options, _logger);
        _processor = new TaskProcessor(_store, _writer, _handlers, _retryPublisher, _options, _logger, new RpcReplies(_messagePublisher, _store, _options, _logger), Control, _events);
        await Control.LoadRevokedAsync(cancellationToken);
        await _heartbeats.StartAsync(cancellationToken);
        _events.Start();
    }

    /// <summary>
    /// Decides what <paramref name="delivery"/> means, runs it if it is due, and settles it once its outcome
    /// commits. Returns when the task's slot is free: the outcome may still be on its way to the database, and
    /// the message is settled when it arrives. Never throws: a failure of the store requeues the message.
    /// </summary>
    public async Task HandleAsync(IDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        Interlocked.Increment(ref _running);
        try
        {
            if (_stopping || _processor is null)
            {
                await SettleAsync(delivery, MessageDisposition.Requeue);
                return;
            }
            MessageDisposition disposition;
            try
            {
                disposition = await _processor.ProcessAsync(delivery, _forceStop.Token);
            }
            catch (Exception ex)
            {
                disposition = await RequeueAfterFailureAsync(ex, delivery);
            }
            if (disposition.Storing is null)
            {
                await SettleAsync(delivery, disposition);
                return;
            }
            // The task is done; its outcome row is on its way. The next message runs meanwhile, and this one
            // is settled when the row commits.
            Interlocked.Increment(ref _settling);
            _ = SettleOnceStoredAsync(delivery, disposition);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>
    /// The graceful stop's first half: from now on every delivery is requeued; <paramref name="stopConsuming"/>
    /// asks the transport for no more; running tasks get <see cref="WorkerOptions.ShutdownTimeout"/> to finish
    /// and their outcomes to be settled, then the rest are cancelled and requeued. The transport then returns
    /// what it still holds and calls <see cref="StopAsync"/>.
    /// </summary>
    public async Task DrainAsync(Func<Task> stopConsuming, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stopConsuming);
        _stopping = true;
        await stopConsuming();
        try
        {
            if (!await WaitForIdleAsync(_options.ShutdownTimeout, cancellationToken))
            {
                _logger.LogWarning("Worker {Worker}: {Running} tasks still ran after {Timeout}; cancelling them", _options.WorkerName, Running, _options.ShutdownTimeout);
                await _forceStop.CancelAsync();
                await WaitForIdleAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller (a host's shutdown timeout) will not wait longer: what still runs is cancelled, and its
            // message goes back with the transport's channel.
            _logger.LogWarning("Worker {Worker}: the stop was cut short with {Running} tasks running; cancelling them", _options.WorkerName, Running);
            await _forceStop.CancelAsync();
            throw;
        }
    }

    /// <summary>The graceful stop's second half: the last outcomes are written and the last heartbeat says stopped.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopping = true;
        if (_writer is not null) await _writer.DisposeAsync();
        await _heartbeats.StopAsync(cancellationToken);
        if (_events is not null) await _events.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _heartbeats.DisposeAsync();
        if (_events is not null) await _events.DisposeAsync();
        _forceStop.Dispose();
    }

    private async Task SettleOnceStoredAsync(IDelivery delivery, MessageDisposition disposition)
    {
        try
        {
            try
            {
                await disposition.Storing!;
            }
            catch (Exception ex)
            {
                disposition = await RequeueAfterFailureAsync(ex, delivery);
            }
            await SettleAsync(delivery, disposition);
        }
        catch (Exception ex)
        {
            // Nobody awaits this task: what escapes must be logged here or be lost.
            _logger.LogError(ex, "Worker {Worker}: message {MessageId} from {Queue} was not settled; the transport redelivers it: {Error}",
                _options.WorkerName, delivery.Message.CorrelationId, delivery.Queue, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _settling);
        }
    }

    // The store or the broker failed us: nothing was stored, so the message goes back, after a pause that
    // keeps an outage from becoming a busy loop.
    private async Task<MessageDisposition> RequeueAfterFailureAsync(Exception ex, IDelivery delivery)
    {
        _logger.LogError(ex, "Worker {Worker}: message {MessageId} from {Queue} goes back to the queue: {Error}",
            _options.WorkerName, delivery.Message.CorrelationId, delivery.Queue, ex.Message);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _forceStop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: requeue at once.
        }
        return MessageDisposition.Requeue;
    }

    private async Task SettleAsync(IDelivery delivery, MessageDisposition disposition)
    {
        try
        {
            await (disposition.Action switch
            {
                MessageDisposition.Kind.Ack => delivery.AckAsync(),
                MessageDisposition.Kind.Requeue => delivery.RequeueAsync(),
                _ => delivery.DeadLetterAsync(disposition.Reason!, disposition.Error!),
            });
        }
        catch (Exception ex) when (disposition.Action == MessageDisposition.Kind.DeadLetter)
        {
            // Not moved, so still ours: held unacknowledged it would take a prefetch slot until the channel
            // closes, and enough of them stall the worker. It goes back, after the same pause as a store failure.
            var requeue = await RequeueAfterFailureAsync(ex, delivery);
            await SettleAsync(delivery, requeue);
        }
        catch (Exception ex)
        {
            // The transport lost the message's channel: it redelivers the message, and its stored outcome stops a second run.
            _logger.LogWarning("Worker {Worker}: could not settle message {MessageId} from {Queue} ({Action}): {Error}",
                _options.WorkerName, delivery.Message.CorrelationId, delivery.Queue, disposition.Action, ex.Message);
        }
    }

    private async Task<bool> WaitForIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _options.Clock.GetUtcNow() + timeout;
        while (Running > 0 || Volatile.Read(ref _settling) > 0)
        {
            if (_options.Clock.GetUtcNow() >= deadline) return false;
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }
}
