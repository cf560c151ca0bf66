using System.Diagnostics;
using FullDbResult.Protocol;
using FullDbResult.Publishing;

namespace FullDbResult.Bench;

/// <summary>Adds up the time spent publishing and waiting for confirms, to split a dispatch's time between broker and database.</summary>
public sealed class TimedPublisher(ITaskPublisher inner) : ITaskPublisher
{
    private long _ticks;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    public async Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await inner.PublishAsync(messages, cancellationToken);
        }
        finally
        {
            Interlocked.Add(ref _ticks, Stopwatch.GetTimestamp() - start);
        }
    }
}
