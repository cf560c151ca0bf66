using FullDbResult.Control;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace FullDbResult.RabbitMq.Control;

/// <summary>
/// A worker's mailbox: consumes its <c>&lt;name&gt;.celery.pidbox</c> queue (bound to the <c>celery.pidbox</c>
/// fanout exchange, as kombu's Node does, without acknowledgements), hands each command to the worker's
/// <see cref="WorkerControl"/> and publishes its reply to <c>reply.celery.pidbox</c> with the command's ticket.
/// A message that is not a control command is logged and skipped. Replies go only to the reply exchange, so
/// a command cannot make the worker publish into a task queue.
/// </summary>
internal sealed class PidboxConsumer : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly WorkerControl _control;
    private readonly ILogger _logger;
    private int _clock;

    private PidboxConsumer(IChannel channel, WorkerControl control, ILogger logger)
    {
        _channel = channel;
        _control = control;
        _logger = logger;
    }

    public static async Task<PidboxConsumer> StartAsync(RabbitMqConnection connection, WorkerControl control, ILogger logger, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var consumer = new PidboxConsumer(channel, control, logger);
        var queue = Pidbox.WorkerQueue(control.WorkerName);
        await Pidbox.DeclareExchangeAsync(channel, cancellationToken);
        await Pidbox.DeclareReplyExchangeAsync(channel, cancellationToken);
        await Pidbox.DeclareQueueAsync(channel, queue, Pidbox.Exchange, "", cancellationToken);
        var basic = new AsyncEventingBasicConsumer(channel);
        basic.ReceivedAsync += consumer.OnReceivedAsync;
        await channel.BasicConsumeAsync(queue, autoAck: true, basic, cancellationToken);
        logger.LogInformation("Worker {Worker} answers remote control on {Queue}", control.WorkerName, queue);
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.CloseAsync();
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Worker {Worker}: pidbox channel not closed cleanly: {Error}", _control.WorkerName, ex.Message);
        }
        _channel.Dispose();
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        ControlCommand command;
        try
        {
            command = ControlCommand.Parse(delivery.Body.Span);
        }
        catch (FormatException ex)
        {
            _logger.LogWarning("Worker {Worker}: malformed control message skipped: {Error}", _control.WorkerName, ex.Message);
            return;
        }
        try
        {
            var reply = await _control.HandleAsync(command);
            if (reply is null) return;
            if (command.ReplyExchange != Pidbox.ReplyExchange)
            {
                _logger.LogWarning("Worker {Worker}: control command {Method} asks for its reply on exchange '{Exchange}'; only {ReplyExchange} is answered",
                    _control.WorkerName, command.Method, command.ReplyExchange, Pidbox.ReplyExchange);
                return;
            }
            var headers = new Dictionary<string, object?> { ["ticket"] = command.Ticket, ["clock"] = Interlocked.Increment(ref _clock) };
            await _channel.BasicPublishAsync(Pidbox.ReplyExchange, command.ReplyRoutingKey!, mandatory: false,
                Pidbox.Properties(DeliveryModes.Transient, headers), reply);
        }
        catch (Exception ex)
        {
            // The consumer must live on: a failed reply is the caller's timeout, not the worker's end.
            _logger.LogWarning(ex, "Worker {Worker}: control command {Method} not answered: {Error}", _control.WorkerName, command.Method, ex.Message);
        }
    }
}
