namespace FullDbResult.Control;

/// <summary>What stopping one task did: the action, the row's status after it (null when the store has no row), and a sentence saying so.</summary>
public sealed record TaskStopResult(string TaskId, TaskStopAction Action, string? Status, string Message)
{
    /// <summary>For a terminate: the workers that said they stopped it.</summary>
    public IReadOnlyList<string> TerminatedBy { get; init; } = [];

    /// <summary>Whether anything was changed or sent.</summary>
    public bool Changed => Action is not (TaskStopAction.AlreadyFinished or TaskStopAction.ClaimedByDispatcher);
}
