using FullDbResult.Tasks;

namespace FullDbResult.Tests.Storage;

/// <summary>Task records for tests.</summary>
public static class Tasks
{
    public static TaskRecord Pending(string? id = null, string name = "email.send", string args = "[1, 2]", string kwargs = "{\"to\": \"ops@example.com\"}") => new()
    {
        TaskId = id ?? Guid.NewGuid().ToString(),
        TaskName = name,
        Status = TaskStates.Pending,
        Args = args,
        Kwargs = kwargs,
        Exchange = "",
        RoutingKey = "celery",
        Queue = "celery",
    };

    public static TaskRecord Scheduled(DateTime eta, string? id = null, string name = "report.build") => new()
    {
        TaskId = id ?? Guid.NewGuid().ToString(),
        TaskName = name,
        Status = TaskStates.Scheduled,
        Args = "[]",
        Kwargs = "{}",
        Eta = eta,
        RoutingKey = "celery",
    };
}
