namespace FullDbResult.Control;

/// <summary>
/// The task ids a worker must not run, as Celery's worker keeps them (a LimitedSet): at most
/// <see cref="MaxCount"/> ids, each forgotten after <see cref="Expiry"/>; the oldest go first. Filled from revoke
/// commands and, when the worker starts, from the store's recent REVOKED rows, so a worker started after a
/// revoke still skips the task.
/// </summary>
internal sealed class RevokedTasks(TimeProvider clock)
{
    /// <summary>Celery's REVOKES_MAX and REVOKE_EXPIRES.</summary>
    public const int MaxCount = 50_000;

    public static readonly TimeSpan Expiry = TimeSpan.FromHours(3);

    private readonly Dictionary<string, DateTimeOffset> _revokedAt = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset At)> _order = new();

    public int Count
    {
        get
        {
            lock (_revokedAt) return _revokedAt.Count;
        }
    }

    public void Add(string taskId)
    {
        var now = clock.GetUtcNow();
        lock (_revokedAt)
        {
            _revokedAt[taskId] = now;
            _order.Enqueue((taskId, now));
            Trim(now);
        }
    }

    public bool Contains(string taskId)
    {
        var now = clock.GetUtcNow();
        lock (_revokedAt)
        {
            Trim(now);
            return _revokedAt.ContainsKey(taskId);
        }
    }

    private void Trim(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && (_revokedAt.Count > MaxCount || oldest.At <= now - Expiry || _order.Count > 2 * MaxCount))
        {
            _order.Dequeue();
            // An id revoked again later has a newer entry further on: only its last entry removes it.
            if (_revokedAt.TryGetValue(oldest.Id, out var at) && at == oldest.At) _revokedAt.Remove(oldest.Id);
        }
    }
}
