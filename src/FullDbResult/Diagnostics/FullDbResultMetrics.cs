using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FullDbResult.Diagnostics;

/// <summary>
/// The worker's and the dispatcher's numbers as System.Diagnostics.Metrics instruments on the meter
/// "FullDbResult", so any listener (OpenTelemetry's Prometheus exporter, dotnet-counters) sees them. Task
/// counters carry the task name as the tag "task"; names are a small fixed set in any deployment.
/// </summary>
public static class FullDbResultMetrics
{
    /// <summary>The meter's name, for AddMeter.</summary>
    public const string MeterName = "FullDbResult";

    private static readonly Meter Meter = new(MeterName, typeof(FullDbResultMetrics).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> Started = Meter.CreateCounter<long>("fulldbresult.tasks.started", "{task}", "Tasks a worker started running.");
    private static readonly Counter<long> Succeeded = Meter.CreateCounter<long>("fulldbresult.tasks.succeeded", "{task}", "Tasks that returned a result.");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("fulldbresult.tasks.failed", "{task}", "Tasks that raised (FAILURE).");
    private static readonly Counter<long> Retried = Meter.CreateCounter<long>("fulldbresult.tasks.retried", "{task}", "Tasks that asked to be retried.");
    private static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>("fulldbresult.task.run_time", "s", "How long a task's handler ran, whatever its outcome.");
    private static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>("fulldbresult.worker.running", "{task}", "Tasks this process's workers hold now: its share of the queue.");
    private static readonly Counter<long> Dispatched = Meter.CreateCounter<long>("fulldbresult.scheduled.claimed", "{task}", "Due scheduled tasks a dispatcher claimed to send.");
    private static readonly Histogram<double> DispatchLag = Meter.CreateHistogram<double>("fulldbresult.scheduled.dispatch_lag", "s", "From a scheduled task's ETA to its claim by a dispatcher.");

    /// <summary>A task starts running; pass the result to the call that ends it.</summary>
    internal static TaskRun TaskStarted(string taskName)
    {
        var tag = new KeyValuePair<string, object?>("task", taskName);
        Started.Add(1, tag);
        Running.Add(1, tag);
        return new TaskRun(tag, Stopwatch.GetTimestamp());
    }

    internal static void TaskSucceeded(TaskRun run) => End(run, Succeeded);

    internal static void TaskFailed(TaskRun run) => End(run, Failed);

    internal static void TaskRetried(TaskRun run) => End(run, Retried);

    /// <summary>Stopped with no outcome counted: requeued by the worker's shutdown, or terminated (REVOKED).</summary>
    internal static void TaskStopped(TaskRun run) => End(run, null);

    /// <summary>A dispatcher claimed <paramref name="claimed"/> due rows at <paramref name="now"/>.</summary>
    internal static void ScheduledClaimed(IReadOnlyList<Tasks.TaskRecord> claimed, DateTimeOffset now)
    {
        Dispatched.Add(claimed.Count);
        foreach (var row in claimed)
            if (row.Eta is { } eta) DispatchLag.Record(Math.Max(0, (now.UtcDateTime - eta).TotalSeconds));
    }

    private static void End(TaskRun run, Counter<long>? outcome)
    {
        outcome?.Add(1, run.Task);
        Running.Add(-1, run.Task);
        RunTime.Record(Stopwatch.GetElapsedTime(run.StartedAt).TotalSeconds, run.Task);
    }

    internal readonly record struct TaskRun(KeyValuePair<string, object?> Task, long StartedAt);
}
