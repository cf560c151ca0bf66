using System.Threading.Channels;
using FullDbResult.Control;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq.Control;

/// <summary>
/// Sends remote-control commands on the <c>celery.pidbox</c> fanout exchange as Celery's <c>app.control</c>
/// does, so Celery's workers and ours act on them; collects replies on a reply queue of its own, bound to
/// <c>reply.celery.pidbox</c>, keeping those with the command's ticket.
/// </summary>
public sealed class RabbitMqControlBroadcaster : IControlBroadcaster, IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _publishLock = new(1, 1);
    private IChannel? _publishChannel;
    private int _clock;

    public RabbitMqControlBroadcaster(RabbitMqConnection connection, ILogger? logger = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _logger = logger ?? NullLogger.Instance;
    }

    public Task BroadcastAsync(ControlCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return PublishAsync(command with { Ticket = null, ReplyExchange = null, ReplyRoutingKey = null }, TimeSpan.FromSeconds(1), cancellationToken);
    }

    public async Task<IReadOnlyList<ControlReply>> CallAsync(ControlCommand command, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var ticket = Guid.NewGuid().ToString();
        var routingKey = Guid.NewGuid().ToString();
        var replies = Channel.CreateUnbounded<ControlReply>();
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await Pidbox.DeclareReplyExchangeAsync(channel, cancellationToken);
        await Pidbox.DeclareQueueAsync(channel, Pidbox.ReplyQueue(routingKey), Pidbox.ReplyExchange, routingKey, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            Collect(delivery, ticket, replies.Writer);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(Pidbox.ReplyQueue(routingKey), autoAck: true, consumer, cancellationToken);

        await PublishAsync(command with { Ticket = ticket, ReplyExchange = Pidbox.ReplyExchange, ReplyRoutingKey = routingKey }, timeout, cancellationToken);

        var collected = new List<ControlReply>();
        var expected = command.Destination?.Count;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (expected is null || collected.Count < expected)
                collected.Add(await replies.Reader.ReadAsync(deadline.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The time is up: these are the workers that answered.
        }
        await channel.CloseAsync(CancellationToken.None);
        return collected;
    }

    public async ValueTask DisposeAsync()
    {
        if (_publishChannel is not null)
        {
            try
            {
                await _publishChannel.CloseAsync();
            }
            catch (Exception ex)
            {
                _logger.LogDebug("Control channel not closed cleanly: {Error}", ex.Message);
            }
            _publishChannel.Dispose();
        }
        _publishLock.Dispose();
    }

    private async Task PublishAsync(ControlCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var body = command.ToJson();
        // As kombu's Mailbox: a Lamport clock, and when the sender stops listening (seconds since the epoch).
        var headers = new Dictionary<string, object?>
        {
            ["clock"] = Interlocked.Increment(ref _clock),
            ["expires"] = DateTimeOffset.UtcNow.Add(timeout).ToUnixTimeMilliseconds() / 1000.0,
        };
        await _publishLock.WaitAsync(cancellationToken);
        try
        {
            if (_publishChannel is not { IsOpen: true })
            {
                _publishChannel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
                await Pidbox.DeclareExchangeAsync(_publishChannel, cancellationToken);
            }
            await _publishChannel.BasicPublishAsync(Pidbox.Exchange, "", mandatory: false, Pidbox.Properties(DeliveryModes.Persistent, headers), body, cancellationToken);
        }
        finally
        {
            _publishLock.Release();
        }
        _logger.LogDebug("Control command {Method} broadcast", command.Method);
    }

    private void Collect(BasicDeliverEventArgs delivery, string ticket, ChannelWriter<ControlReply> replies)
    {
        if (Pidbox.StringHeader(delivery.BasicProperties, "ticket") != ticket) return;
        try
        {
            foreach (var reply in ControlReply.Parse(delivery.Body.Span)) replies.TryWrite(reply);
        }
        catch (FormatException ex)
        {
            _logger.LogWarning("Malformed control reply skipped: {Error}", ex.Message);
        }
    }
}
