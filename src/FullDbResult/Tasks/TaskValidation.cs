using FullDbResult.Json;

namespace FullDbResult.Tasks;

/// <summary>Checks a record before it is written, so that bad input fails with a message that names it.</summary>
public static class TaskValidation
{
    public const int MaxIdLength = 255;
    public const int MaxNameLength = 255;

    public static void ValidateTaskId(string? taskId, string parameterName = "TaskId") =>
        ValidateText(taskId, string.IsNullOrEmpty(taskId), "task id", MaxIdLength, parameterName);

    public static void ValidateTaskName(string? taskName, string parameterName = "TaskName") =>
        ValidateText(taskName, string.IsNullOrWhiteSpace(taskName), "task name", MaxNameLength, parameterName);

    private static void ValidateText(string? value, bool empty, string what, int maxLength, string parameterName)
    {
        if (empty || value is null)
            throw new ArgumentException($"The {what} is empty.", parameterName);
        if (value.Length > maxLength)
            throw new ArgumentException(
                $"The {what} is {value.Length} characters long; at most {maxLength} are allowed.", parameterName);
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
