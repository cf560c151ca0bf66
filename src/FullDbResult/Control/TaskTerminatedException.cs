namespace FullDbResult.Control;

/// <summary>A running task was stopped by a remote-control terminate (Celery's <c>revoke(terminate=True)</c>).</summary>
public sealed class TaskTerminatedException(string reason) : OperationCanceledException(reason);
