using FullDbResult.Json;

namespace FullDbResult.Tasks;

/// <summary>Checks a record before it is written, so that bad input fails with a message that names it.</summary>
public static class TaskValidation
{
    public const int MaxIdLength = 255;
    public const int MaxNameLength = 255;

    public static void ValidateTaskId(string? taskId, string parameterName = "TaskId")
    {
        if (string.IsNullOrEmpty(taskId))
            throw new ArgumentException("The task id is empty.", parameterName);
        if (taskId.Length > MaxIdLength)
            throw new ArgumentException(
                $"The task id is {taskId.Length} characters long; at most {MaxIdLength} are allowed.", parameterName);
    }

    public static void ValidateTaskName(string? taskName, string parameterName = "TaskName")
    {
        if (string.IsNullOrWhiteSpace(taskName))
            throw new ArgumentException("The task name is empty.", parameterName);
        if (taskName.Length > MaxNameLength)
            throw new ArgumentException(
                $"The task name is {taskName.Length} characters long; at most {MaxNameLength} are allowed.", parameterName);
    }

    /// <summary>Validates the fields every stored task must have right.</summary>
    public static void Validate(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ValidateTaskId(record.TaskId);
        ValidateTaskName(record.TaskName);
        if (string.IsNullOrWhiteSpace(record.Status))
            throw new ArgumentException($"Task {record.TaskId}: the status is empty.", nameof(TaskRecord.Status));
        TaskJson.ValidateArgs(record.Args, $"task {record.TaskId}");
        TaskJson.ValidateKwargs(record.Kwargs, $"task {record.TaskId}");
        if (record.Status == TaskStates.Scheduled && record.Eta is null)
            throw new ArgumentException($"Task {record.TaskId} is SCHEDULED but has no eta.", nameof(TaskRecord.Eta));
    }
}
