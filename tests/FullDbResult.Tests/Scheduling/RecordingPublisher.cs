using System.Collections.Concurrent;
using FullDbResult.Protocol;
using FullDbResult.Publishing;

namespace FullDbResult.Tests.Scheduling;

/// <summary>
/// A publisher that keeps what it is given, with the time it was given it, and fails on request: the
/// broker as the scheduling tests need to see it.
/// </summary>
public sealed class RecordingPublisher(TimeProvider? clock = null) : ITaskPublisher
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public ConcurrentQueue<(TaskMessage Message, DateTimeOffset At)> Sent { get; } = new();

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>When set, decides which ids of each batch the broker does not confirm.</summary>
    public Func<IReadOnlyList<TaskMessage>, IReadOnlyList<string>>? Unconfirmed { get; set; }

    /// <summary>What <see cref="IsReadyAsync"/> says: false is a broker that cannot be reached.</summary>
    public bool Ready { get; set; } = true;

    public Task<bool> IsReadyAsync(CancellationToken cancellationToken = default) => Task.FromResult(Ready);

    public IReadOnlyList<string> SentIds => Sent.Select(s => s.Message.Id).ToList();

    public Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        BatchSizes.Enqueue(messages.Count);
        var failed = Unconfirmed?.Invoke(messages) ?? [];
        foreach (var message in messages.Where(m => !failed.Contains(m.Id)))
            Sent.Enqueue((message, _clock.GetUtcNow()));
        if (failed.Count > 0) throw new TaskPublishException($"The broker nacked {failed.Count} messages.", failed);
        return Task.CompletedTask;
    }
}
