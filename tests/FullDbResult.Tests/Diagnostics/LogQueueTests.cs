using FullDbResult.Diagnostics;
using FullDbResult.Scheduling;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FullDbResult.Tests.Diagnostics;

/// <summary>The queue that carries the library's log to a host that shows it on one thread (the PowerShell pipeline).</summary>
public class LogQueueTests
{
    [Fact]
    public async Task Messages_logged_on_many_threads_are_all_kept_for_the_host_to_take_in_order_of_arrival()
    {
        using var queue = new LogQueue();
        var logger = new Logger<ScheduledDispatcher>(queue);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++) logger.LogInformation("thread {Thread} message {Index}", thread, i);
        })));

        var taken = new List<LogQueueEntry>();
        while (queue.TryTake(out var entry)) taken.Add(entry);
        Assert.Equal(800, taken.Count);
        Assert.All(taken, entry => Assert.Equal(typeof(ScheduledDispatcher).FullName, entry.Category));
        for (var thread = 0; thread < 8; thread++)
        {
            var own = taken.Where(e => e.Message.StartsWith($"thread {thread} ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"thread {thread} message {i}"), own);
        }
    }

    [Fact]
    public void Each_level_maps_to_a_severity_and_an_exception_is_named_in_the_message()
    {
        using var queue = new LogQueue();
        var logger = queue.CreateLogger("test");

        logger.LogTrace("trace");
        logger.LogDebug("debug");
        logger.LogInformation("information");
        logger.LogWarning("warning");
        logger.LogError(new InvalidOperationException("broken"), "error");
        logger.LogCritical("critical");

        var taken = new List<LogQueueEntry>();
        while (queue.TryTake(out var entry)) taken.Add(entry);
        Assert.Equal(
            [LogQueueSeverity.Debug, LogQueueSeverity.Debug, LogQueueSeverity.Information, LogQueueSeverity.Warning, LogQueueSeverity.Error, LogQueueSeverity.Error],
            taken.Select(e => e.Severity));
        Assert.Equal("error (InvalidOperationException: broken)", taken[4].Message);
    }
}
