namespace FullDbResult.PowerShell;

/// <summary>
/// Error records about one task, targeted at its id (or one periodic task, at its name), so that a script can
/// collect the ids that failed while the pipeline goes on with the next one.
/// </summary>
internal static class TaskErrors
{
    public static ErrorRecord NotFound(string taskId) =>
        new(new ItemNotFoundException($"No task with id '{taskId}' is stored."), "TaskNotFound", ErrorCategory.ObjectNotFound, taskId);

    public static ErrorRecord PeriodicTaskNotFound(string name) =>
        new(new ItemNotFoundException($"No periodic task is named '{name}'."), "PeriodicTaskNotFound", ErrorCategory.ObjectNotFound, name);

    public static ErrorRecord InvalidId(ArgumentException exception, string taskId) =>
        new(exception, "InvalidTaskId", ErrorCategory.InvalidArgument, taskId);

    public static ErrorRecord NotCancellable(TaskRecord task)
    {
        var reason = task.Status == TaskStates.Scheduled
            ? "a dispatcher has claimed it and may be sending it now"
            : $"it is {task.Status}, and only SCHEDULED tasks wait in the store";
        return new(new InvalidOperationException($"Task '{task.TaskId}' cannot be cancelled: {reason}."),
            "TaskNotCancellable", ErrorCategory.InvalidOperation, task.TaskId);
    }
}
