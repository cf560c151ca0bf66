namespace FullDbResult.Worker;

/// <summary>What a handler may know about the task it runs; declare a parameter of this type to get it.</summary>
public sealed class TaskContext
{
    internal TaskContext(string taskId, string taskName, int retries, string workerName, CancellationToken cancellationToken)
    {
        TaskId = taskId;
        TaskName = taskName;
        Retries = retries;
        WorkerName = workerName;
        CancellationToken = cancellationToken;
    }

    public string TaskId { get; }
    public string TaskName { get; }

    /// <summary>How many times this task was retried before this run.</summary>
    public int Retries { get; }

    public string WorkerName { get; }

    /// <summary>Cancelled at the task's time limit, or when a stopping worker runs out of patience.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Asks for the task to run again after <paramref name="countdown"/>: <c>throw context.Retry(...)</c>.</summary>
    /// <param name="maxRetries">Past this many retries the task fails instead.</param>
    public TaskRetryException Retry(TimeSpan? countdown = null, int maxRetries = 3, string? reason = null) =>
        new(countdown ?? TimeSpan.FromSeconds(180), maxRetries, reason ?? "Retry requested by the task.");
}
