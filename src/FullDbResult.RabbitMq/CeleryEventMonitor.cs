using System.Threading.Channels;
using FullDbResult.Events;
using FullDbResult.Protocol;
using FullDbResult.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Persists the events Celery workers (started with <c>-E</c>) and producers (<c>task_send_sent_event</c>) publish
/// on the <c>celeryev</c> exchange: every task's row follows its events, and workers' heartbeats feed the
/// worker table. Consumes a durable queue of its own, writes what has arrived in batches through
/// <see cref="CeleryEventRecorder"/>, and acknowledges a batch (one multiple-ack) only after its transaction
/// commits: a monitor stopped or killed mid-stream leaves the unwritten events in the queue, and replaying an
/// event is harmless because a row only moves forward. A malformed message is logged, counted, republished to
/// the dead-letter queue with the reason, and acknowledged; the monitor goes on.
/// </summary>
/// <remarks>
/// Celery publishes events as transient messages (delivery mode 1): a broker restart loses those in the queue.
/// The queue has no length limit: while the monitor is down it grows by every event of every worker.
/// </remarks>
public sealed class CeleryEventMonitor : IAsyncDisposable
{
    private static readonly CreateChannelOptions ConfirmedChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly RabbitMqConnection _connection;
    private readonly CeleryEventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private IChannel? _channel;
    private IChannel? _deadLetterChannel;
    private DeadLetterPublisher? _deadLetters;
    private string? _consumerTag;
    private Task? _writeLoop;
    private long _taskEvents;
    private long _workerEvents;
    private long _malformed;
    private long _batches;

    public CeleryEventMonitor(RabbitMqConnection connection, TaskStore store, CeleryEventMonitorOptions? options = null, ILogger<CeleryEventMonitor>? logger = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _recorder = new CeleryEventRecorder(store ?? throw new ArgumentNullException(nameof(store)));
        Options = options ?? new CeleryEventMonitorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.Prefetch, 1);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public CeleryEventMonitorOptions Options { get; }

    /// <summary>Task events stored since the start.</summary>
    public long TaskEvents => Interlocked.Read(ref _taskEvents);

    /// <summary>Worker events (online, heartbeat, offline) stored since the start.</summary>
    public long WorkerEvents => Interlocked.Read(ref _workerEvents);

    /// <summary>Malformed messages or events skipped (and dead-lettered) since the start.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Batches committed since the start.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Declares the exchange, the queue and its binding, and the dead-letter queue; starts consuming.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_channel is not null) throw new InvalidOperationException("The monitor is already started.");
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        _deadLetterChannel = await _connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
        _deadLetters = new DeadLetterPublisher(_deadLetterChannel);
        // As kombu declares Celery's event exchange: durable topic, so that both sides may declare it.
        await _channel.ExchangeDeclareAsync(Options.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await _channel.QueueDeclareAsync(Options.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await _channel.QueueBindAsync(Options.Queue, Options.Exchange, "#", cancellationToken: cancellationToken);
        await _channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await _channel.BasicQosAsync(0, (ushort)Math.Clamp(Options.Prefetch, 1, ushort.MaxValue), global: false, cancellationToken);

        _writeLoop = Task.Run(WriteLoopAsync, CancellationToken.None);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The body is copied: the client reuses its buffer once this returns.
            _deliveries.Writer.TryWrite(new Delivery(delivery.DeliveryTag, RabbitMqWire.FromDelivery(delivery)));
            return Task.CompletedTask;
        };
        _consumerTag = await _channel.BasicConsumeAsync(Options.Queue, autoAck: false, consumer, cancellationToken);
        _logger.LogInformation("Event monitor consumes {Queue} (bound to {Exchange} with #) from {Broker}, batches of up to {BatchSize}",
            Options.Queue, Options.Exchange, _connection.RedactedUrl, Options.BatchSize);
    }

    /// <summary>
    /// Stops consuming and writes what has arrived; whatever is not written by then (the store is down, or the
    /// caller stops waiting) stays unacknowledged and goes back to the queue when the channel closes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_channel is null || _writeLoop is null) return;
        try
        {
            if (_consumerTag is not null) await Quietly(() => _channel.BasicCancelAsync(_consumerTag, noWait: false, cancellationToken));
            _deliveries.Writer.TryComplete();
            await using (cancellationToken.Register(_stopping.Cancel)) await _writeLoop;
        }
        finally
        {
            await _stopping.CancelAsync();
            await Quietly(() => _channel.CloseAsync(CancellationToken.None));
            await Quietly(() => _deadLetterChannel!.CloseAsync(CancellationToken.None));
            _logger.LogInformation("Event monitor stopped: {TaskEvents} task events, {WorkerEvents} worker events, {Malformed} malformed",
                TaskEvents, WorkerEvents, Malformed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    private string DeadLetterQueue => Options.Queue + Options.DeadLetterSuffix;

    private async Task WriteLoopAsync()
    {
        var reader = _deliveries.Reader;
        var batch = new List<Delivery>(Options.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token))
            {
                batch.Clear();
                while (batch.Count < Options.BatchSize && reader.TryRead(out var delivery)) batch.Add(delivery);
                await WriteUntilStoredAsync(batch);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the unacknowledged messages go back to the queue.
        }
    }

    private async Task WriteUntilStoredAsync(List<Delivery> batch)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            CeleryEventBatchResult result;
            try
            {
                result = await _recorder.RecordAsync(batch.Select(d => new CeleryEventMessage(d.Wire.Body, d.Wire.ContentType)).ToList(), _stopping.Token);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                // The store is down or refused the batch: nothing of it was written, and nothing is acknowledged.
                _logger.LogError(ex, "Event monitor: writing {Count} messages failed; retrying in {Delay}", batch.Count, delay);
                await Task.Delay(delay, _stopping.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                continue;
            }

            foreach (var group in result.Malformed.GroupBy(m => m.MessageIndex))
                await DeadLetterAsync(batch[group.Key], string.Join("; ", group.Select(m => m.Reason)));
            // Delivery tags on one channel grow in order, and every earlier one is in this batch or an earlier one.
            await _channel!.BasicAckAsync(batch[^1].Tag, multiple: true);
            Interlocked.Add(ref _taskEvents, result.TaskEvents);
            Interlocked.Add(ref _workerEvents, result.WorkerEvents);
            Interlocked.Add(ref _malformed, result.Malformed.Count);
            Interlocked.Increment(ref _batches);
            return;
        }
    }

    private async Task DeadLetterAsync(Delivery delivery, string reason)
    {
        _logger.LogWarning("Event monitor: skipped a malformed message (routing key {RoutingKey}, {Bytes} bytes): {Reason}; it goes to {DeadLetterQueue}",
            delivery.Wire.RoutingKey, delivery.Wire.Body.Length, reason, DeadLetterQueue);
        try
        {
            await _deadLetters!.PublishAsync(delivery.Wire, Options.Queue, DeadLetterQueue, "malformed-event", reason);
        }
        catch (Exception ex)
        {
            // Kept in the log only: holding the batch for it would stop every good event behind it.
            _logger.LogError(ex, "Event monitor: the malformed message could not be dead-lettered");
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
            _logger.LogDebug("Event monitor: ignored during stop: {Error}", ex.Message);
        }
    }

    private sealed record Delivery(ulong Tag, WireMessage Wire);
}
