using System.Collections.Concurrent;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Publishes Celery protocol v2 messages with publisher confirms on pooled channels of one connection.
/// Every publish is mandatory, so a message no queue receives is an error, not a silent drop. A queue
/// reached through the default exchange is declared first, as the connection's <see cref="RabbitMqConnection.Queues"/>
/// say (by default as Celery declares it: durable, no arguments), so that a task sent before any worker started
/// waits in its queue.
/// </summary>
public sealed class RabbitMqTaskPublisher : ITaskPublisher, IAsyncDisposable
{
    /// <summary>How long a publish waits for the broker's confirms by default, outage included.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly CreateChannelOptions ConfirmedChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    private readonly RabbitMqConnection _connection;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _clock;
    private readonly ConcurrentBag<IChannel> _idleChannels = [];
    private readonly ConcurrentDictionary<string, bool> _declaredQueues = new();

    public RabbitMqTaskPublisher(RabbitMqConnection connection, TimeSpan? timeout = null, TimeProvider? clock = null)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _timeout = timeout ?? DefaultTimeout;
        _clock = clock ?? TimeProvider.System;
    }

    public async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var wires = messages.Select(m => CeleryProtocol.Encode(m, _clock)).ToList();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        IChannel? channel = null;
        List<Task>? confirms = null;
        try
        {
            foreach (var queue in wires.Where(w => w.Exchange.Length == 0).Select(w => w.RoutingKey).Distinct())
                await DeclareQueueAsync(queue, deadline.Token);
            channel = await RentAsync(deadline.Token);
            confirms = wires.Select(w => channel.BasicPublishAsync(
                w.Exchange, w.RoutingKey, mandatory: true, RabbitMqWire.ToProperties(w), w.Body, deadline.Token).AsTask()).ToList();
            await Task.WhenAll(confirms).WaitAsync(deadline.Token);
            Return(channel);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (channel is not null) await DiscardAsync(channel);
            // Only the messages the broker did not confirm: the others are on their queues, and marking them
            // failed would invite an operator to send them twice.
            var failed = messages.Where((_, i) => confirms is null || !confirms[i].IsCompletedSuccessfully).Select(m => m.Id).ToList();
            throw new TaskPublishException(Describe(ex, failed.Count, messages.Count), failed, ex);
        }
        catch
        {
            if (channel is not null) await DiscardAsync(channel);
            throw;
        }
    }

    /// <summary>True when a confirmed channel can be had within the timeout: an idle open one, or a new one on the shared connection.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            Return(await RentAsync(deadline.Token));
            return true;
        }
        catch (Exception ex) when (ex is RabbitMqUnavailableException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idleChannels.TryTake(out var channel)) await DiscardAsync(channel);
    }

    private string Describe(Exception ex, int failed, int sent)
    {
        var what = sent == 1 ? "The task was not confirmed by the broker" : $"{failed} of {sent} tasks were not confirmed by the broker";
        return ex switch
        {
            OperationCanceledException or TimeoutException => $"{what} within {_timeout.TotalSeconds:0.#} s ({_connection.RedactedUrl}).",
            PublishException { IsReturn: true } => $"{what}: no queue is bound to its exchange and routing key, so it was returned.",
            PublishException => $"{what}: the broker refused it (nack).",
            _ => $"{what}: {ex.Message}",
        };
    }

    private async Task DeclareQueueAsync(string queue, CancellationToken cancellationToken)
    {
        if (_declaredQueues.ContainsKey(queue)) return;
        // A channel of its own: a declare that disagrees with the queue's arguments closes the channel.
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, _connection.Queues.TaskQueueArguments(queue), cancellationToken: cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            // It exists with other arguments (a priority queue, say): it exists, which is all we need.
        }
        _declaredQueues[queue] = true;
    }

    private async Task<IChannel> RentAsync(CancellationToken cancellationToken)
    {
        while (_idleChannels.TryTake(out var channel))
        {
            if (channel.IsOpen) return channel;
            await DiscardAsync(channel);
        }
        return await _connection.CreateChannelAsync(ConfirmedChannel, cancellationToken);
    }

    private void Return(IChannel channel) => _idleChannels.Add(channel);

    private static async Task DiscardAsync(IChannel channel)
    {
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception)
        {
            // Already broken; nothing more to release.
        }
    }
}
