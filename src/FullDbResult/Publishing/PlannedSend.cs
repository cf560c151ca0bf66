using FullDbResult.Protocol;

namespace FullDbResult.Publishing;

/// <summary>One validated send: its message, the row that tracks it, and whether it waits as SCHEDULED instead of being published.</summary>
internal sealed record PlannedSend(TaskMessage Message, TaskRecord Record, bool Scheduled);
