using System.Collections.Concurrent;
using System.Diagnostics;
using FullDbResult.Scheduling;
using Xunit;

namespace FullDbResult.Tests.Scheduling;

/// <summary>The loop the dispatcher and the periodic scheduler share: interval, backoff with jitter, stop.</summary>
public sealed class PollingLoopTests
{
    [Fact]
    public void The_pause_after_failed_passes_doubles_from_the_interval_up_to_the_bound_with_jitter_in_its_upper_half()
    {
        var loop = new PollingLoop("test", _ => Task.FromResult(true), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        for (var failures = 1; failures <= 40; failures++)
        {
            var ceiling = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 30))));
            var pauses = Enumerable.Range(0, 200).Select(_ => loop.Backoff(failures)).ToList();
            Assert.All(pauses, pause => Assert.InRange(pause, ceiling / 2, ceiling));
            Assert.True(pauses.Distinct().Count() > 100, $"No jitter after {failures} failures.");
        }
    }

    [Fact]
    public async Task After_failed_passes_the_loop_backs_off_and_after_a_success_returns_to_its_interval()
    {
        var interval = TimeSpan.FromMilliseconds(20);
        var started = new ConcurrentQueue<TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var passes = 0;
        var loop = new PollingLoop("test", _ =>
        {
            started.Enqueue(clock.Elapsed);
            var pass = ++passes;
            if (pass == 10) stop.Cancel();
            // Passes 1 to 4 fail (the third by throwing); the rest succeed.
            return pass == 3 ? throw new InvalidOperationException("database down") : Task.FromResult(pass > 4);
        }, interval, TimeSpan.FromMilliseconds(160));

        await loop.RunAsync(stop.Token);

        var gaps = started.Zip(started.Skip(1), (a, b) => b - a).ToList();
        // After 1, 2, 3 and 4 failures in a row: at least half of 40, 80, 160 and 160 (the bound) ms.
        Assert.All(new[] { 20, 40, 80, 80 }.Select((least, i) => (least, gap: gaps[i])), g => Assert.True(g.gap >= TimeSpan.FromMilliseconds(g.least - 2), $"{g.gap} < {g.least} ms"));
        Assert.True(gaps.Skip(4).Min() < TimeSpan.FromMilliseconds(80), "The loop did not return to its interval after a success.");
        Assert.Equal(10, passes);
    }

    [Fact]
    public async Task A_cancelled_loop_returns_without_throwing_even_in_the_middle_of_a_pass()
    {
        using var stop = new CancellationTokenSource();
        var loop = new PollingLoop("test", async token =>
        {
            await stop.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            return true;
        }, TimeSpan.FromMinutes(1));

        await loop.RunAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
