using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;

namespace FullDbResult.Dashboard.Tests;

/// <summary>Rows that make every page and action show something: tasks in each state, scheduled rows, a periodic task, a worker.</summary>
internal static class SeedData
{
    public static TaskRecord Task(string id, string name = "email.send", string status = TaskStates.Pending) => new()
    {
        TaskId = id,
        TaskName = name,
        Status = status,
        Args = "[1, 2]",
        Kwargs = "{\"to\": \"ops@example.com\"}",
        Exchange = "",
        RoutingKey = "dashboard-tests",
        Queue = "dashboard-tests",
    };

    public static async Task FailedAsync(TaskStore store, string id, string name = "email.send")
    {
        await store.InsertAsync(Task(id, name));
        await store.ApplyStateChangeAsync(new TaskStateChange
        {
            TaskId = id, Status = TaskStates.Failure, Worker = "worker-1@host", Result = "{\"exc_type\": \"ValueError\", \"exc_message\": [\"bad address\"]}",
            Traceback = "Traceback (most recent call last):\n  File \"tasks.py\", line 3, in send\nValueError: bad address",
        });
    }

    public static async Task ScheduledAsync(TaskStore store, string id, DateTime eta)
    {
        var row = Task(id, "report.build", TaskStates.Scheduled);
        row.Eta = eta;
        await store.InsertAsync(row);
    }

    public static Task<PeriodicTask> PeriodicAsync(TaskStore store, string name) =>
        new PeriodicTaskStore(store).AddAsync(new PeriodicTask { Name = name, TaskName = "report.nightly", IntervalSeconds = 3600, RoutingKey = "dashboard-tests" });
}
