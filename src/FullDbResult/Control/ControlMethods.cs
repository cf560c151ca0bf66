namespace FullDbResult.Control;

/// <summary>The remote-control commands a FullDbResult worker answers; any other is logged and ignored.</summary>
public static class ControlMethods
{
    public const string Ping = "ping";
    public const string Revoke = "revoke";
    public const string Terminate = "terminate";
    public const string Active = "active";
    public const string Registered = "registered";
    public const string ActiveQueues = "active_queues";

    /// <summary>Celery's default signal for a terminate: what a Python worker sends the pool process running the task.</summary>
    public const string DefaultSignal = "SIGTERM";
}
