namespace FullDbResult.Scheduling;

/// <summary>One run of a periodic task that a scheduler claimed: the task it sent, and whether the broker confirmed it.</summary>
public sealed record PeriodicRun(string Name, string TaskId, DateTime DueAt, bool Sent, string? PublishError = null);
