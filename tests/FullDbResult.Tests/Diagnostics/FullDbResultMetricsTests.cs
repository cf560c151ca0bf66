using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FullDbResult.Diagnostics;
using FullDbResult.Protocol;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tests.Scheduling;
using FullDbResult.Tests.Storage;
using FullDbResult.Tests.Worker;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Diagnostics;

/// <summary>What the worker and the dispatcher report on the FullDbResult meter, read with a MeterListener.</summary>
public sealed class FullDbResultMetricsTests : IDisposable
{
    // Task names unique to this class, since the meter is process-wide and other tests run tasks meanwhile.
    private readonly string _prefix = "metrics-" + Guid.NewGuid().ToString("N")[..6] + ".";
    private readonly ConcurrentQueue<(string Instrument, string? Task, double Value)> _measured = new();
    private readonly MeterListener _listener = new();

    public FullDbResultMetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == FullDbResultMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? task = null;
        foreach (var tag in tags) if (tag.Key == "task") task = tag.Value as string;
        _measured.Enqueue((instrument.Name, task, value));
    }

    private double Sum(string instrument, string task) =>
        _measured.Where(m => m.Instrument == instrument && m.Task == _prefix + task).Sum(m => m.Value);

    [Fact]
    public async Task The_worker_counts_each_outcome_and_times_every_run_and_nothing_stays_running()
    {
        var store = TestStores.NewStore(DatabaseProvider.Sqlite);
        await using var engine = new WorkerEngine(store, new RecordingPublisher(), new WorkerOptions { WorkerName = "metrics@test", HeartbeatInterval = TimeSpan.FromMinutes(1) });
        engine.Register(_prefix + "ok", () => 1);
        engine.Register(_prefix + "fail", (Func<int>)(() => throw new InvalidOperationException("no")));
        engine.Register(_prefix + "retry", (Func<int>)(() => throw new TaskRetryException(TimeSpan.FromMinutes(1), 3, "later")));
        await engine.StartAsync();

        foreach (var name in new[] { "ok", "ok", "fail", "retry" })
        {
            var delivery = new FakeDelivery(CeleryProtocol.Encode(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = _prefix + name, Args = "[]" }), store);
            await engine.HandleAsync(delivery);
            await delivery.Settled.WaitAsync(TimeSpan.FromSeconds(10));
        }
        await engine.StopAsync();

        Assert.Equal(2, Sum("fulldbresult.tasks.started", "ok"));
        Assert.Equal(2, Sum("fulldbresult.tasks.succeeded", "ok"));
        Assert.Equal(1, Sum("fulldbresult.tasks.failed", "fail"));
        Assert.Equal(0, Sum("fulldbresult.tasks.succeeded", "fail"));
        Assert.Equal(1, Sum("fulldbresult.tasks.retried", "retry"));
        Assert.Equal(2, _measured.Count(m => m.Instrument == "fulldbresult.task.run_time" && m.Task == _prefix + "ok"));
        foreach (var name in new[] { "ok", "fail", "retry" }) Assert.Equal(0, Sum("fulldbresult.worker.running", name));
    }

    [Fact]
    public async Task The_dispatcher_reports_each_claimed_row_and_its_lag_behind_the_eta()
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(DatabaseProvider.Sqlite, new TaskStoreOptions { Clock = clock });
        var row = Storage.Tasks.Scheduled(clock.UtcNow.AddSeconds(-90), name: _prefix + "due");
        await store.InsertAsync(row);
        var measuredBefore = _measured.Count(m => m.Instrument == "fulldbresult.scheduled.dispatch_lag" && m.Value is >= 89.9 and <= 90.1);

        await new ScheduledDispatcher(store, new RecordingPublisher()).RunOnceAsync();

        Assert.Equal(measuredBefore + 1, _measured.Count(m => m.Instrument == "fulldbresult.scheduled.dispatch_lag" && m.Value is >= 89.9 and <= 90.1));
    }

    public void Dispose() => _listener.Dispose();
}
