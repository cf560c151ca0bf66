using FullDbResult.Storage;
using FullDbResult.Tasks;

namespace FullDbResult.RabbitMq.Tests.Support;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the task's row has <paramref name="status"/> and returns it.</summary>
    public static async Task<TaskRecord> StatusAsync(TaskStore store, string taskId, string status, TimeSpan? timeout = null)
    {
        TaskRecord? row = null;
        try
        {
            await WaitAsync(async () => (row = await store.GetAsync(taskId))?.Status == status, $"task {taskId} to be {status}", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; it is {row?.Status ?? "not stored"} (result {row?.Result}, meta {row?.Meta})");
        }
        return row!;
    }
}
