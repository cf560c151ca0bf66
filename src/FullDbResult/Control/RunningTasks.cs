using FullDbResult.Protocol;

namespace FullDbResult.Control;

/// <summary>The tasks a worker runs now, by id.</summary>
internal sealed class RunningTasks
{
    private readonly Dictionary<string, List<RunningTask>> _byId = new(StringComparer.Ordinal);

    public RunningTask Add(TaskMessage message, string queue, bool redelivered, DateTimeOffset started, CancellationTokenSource cancellation)
    {
        var task = new RunningTask(message, queue, redelivered, started, cancellation, this);
        lock (_byId)
        {
            if (!_byId.TryGetValue(message.Id, out var list)) _byId[message.Id] = list = [];
            list.Add(task);
        }
        return task;
    }

    public IReadOnlyList<RunningTask> Find(string taskId)
    {
        lock (_byId) return _byId.TryGetValue(taskId, out var list) ? list.ToList() : [];
    }

    public IReadOnlyList<RunningTask> All()
    {
        lock (_byId) return _byId.Values.SelectMany(list => list).ToList();
    }

    internal void Remove(RunningTask task)
    {
        lock (_byId)
        {
            if (!_byId.TryGetValue(task.Message.Id, out var list)) return;
            list.Remove(task);
            if (list.Count == 0) _byId.Remove(task.Message.Id);
        }
    }
}
