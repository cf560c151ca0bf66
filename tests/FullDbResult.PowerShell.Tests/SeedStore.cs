using System.Reflection;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Writes rows through the FullDbResult library as the module loads it, at times the test chooses, so that
/// cmdlet tests start from a known store. The library's types live in the module's load context, out of
/// this assembly's reach at compile time: they are used through <c>dynamic</c>.
/// </summary>
public sealed class SeedStore
{
    private readonly TestClock _clock = new();
    private readonly dynamic _store;

    public SeedStore(string provider)
    {
        Provider = provider;
        ConnectionString = TestStores.NewConnectionString(provider);
        dynamic options = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Storage.TaskStoreOptions"))!;
        options.Clock = _clock;
        var open = ModuleHost.EngineType("FullDbResult.Storage.TaskStore").GetMethod("Open", BindingFlags.Public | BindingFlags.Static)!;
        _store = open.Invoke(null, [ConnectionString, null, options])!;
        // Initialized, as Initialize-TaskStore leaves it: the commands that only read refuse a store without a schema.
        Wait(_store.MigrateAsync());
    }

    public string Provider { get; }
    public string ConnectionString { get; }

    public static DateTime Now => DateTime.UtcNow;

    /// <summary>A new task record; SCHEDULED ones are due at <paramref name="eta"/>.</summary>
    public static object NewTask(string taskId, string name, string status, DateTime? eta = null, string? worker = null, string? result = null)
    {
        dynamic task = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Tasks.TaskRecord"))!;
        task.TaskId = taskId;
        task.TaskName = name;
        task.Status = status;
        task.Eta = eta;
        task.Worker = worker;
        task.Result = result;
        return task;
    }

    /// <summary>Stores the tasks as written (last changed) at <paramref name="at"/>.</summary>
    public SeedStore Insert(DateTime at, params object[] tasks)
    {
        _clock.Now = at;
        foreach (var task in tasks) Wait(_store.InsertAsync((dynamic)task));
        return this;
    }

    /// <summary>A worker's heartbeat, last seen at <paramref name="lastSeen"/>.</summary>
    public SeedStore Heartbeat(string workerName, DateTime lastSeen, DateTime? stoppedAt = null)
    {
        dynamic heartbeat = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Storage.WorkerHeartbeat"))!;
        heartbeat.WorkerName = workerName;
        heartbeat.Hostname = "host";
        heartbeat.Pid = 1;
        heartbeat.StartedAt = lastSeen.AddHours(-1);
        heartbeat.LastHeartbeat = lastSeen;
        heartbeat.StoppedAt = stoppedAt;
        dynamic workers = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Storage.WorkerStore"), (object)_store)!;
        Wait(workers.RecordHeartbeatAsync(heartbeat));
        return this;
    }

    /// <summary>Claims the due SCHEDULED tasks as a dispatcher would at <paramref name="at"/>, and never marks them sent.</summary>
    public SeedStore ClaimDue(DateTime at, int limit = 100)
    {
        _clock.Now = at;
        Wait(_store.ClaimDueScheduledAsync(limit, "dispatcher-" + Guid.NewGuid().ToString("N")));
        return this;
    }

    /// <summary>A periodic task that sends <paramref name="taskName"/> every <paramref name="interval"/>.</summary>
    public SeedStore AddPeriodic(string name, string taskName, TimeSpan interval, bool enabled = true)
    {
        _clock.Now = Now;
        dynamic periodic = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Scheduling.PeriodicTask"))!;
        periodic.Name = name;
        periodic.TaskName = taskName;
        periodic.IntervalSeconds = (long)interval.TotalSeconds;
        periodic.Enabled = enabled;
        dynamic periodicStore = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Storage.PeriodicTaskStore"), (object)_store)!;
        Wait(periodicStore.AddAsync(periodic));
        return this;
    }

    /// <summary>Records <paramref name="status"/> on the task's row, as a worker's state change would.</summary>
    public SeedStore SetStatus(string taskId, string status)
    {
        _clock.Now = Now;
        var type = ModuleHost.EngineType("FullDbResult.Storage.TaskStateChange");
        var change = Activator.CreateInstance(type)!;
        // Init-only properties: set through reflection, which dynamic cannot.
        type.GetProperty("TaskId")!.SetValue(change, taskId);
        type.GetProperty("Status")!.SetValue(change, status);
        Wait(_store.ApplyStateChangeAsync((dynamic)change));
        return this;
    }

    /// <summary>The stored task, or null.</summary>
    public dynamic? Get(string taskId)
    {
        _clock.Now = Now;
        Task task = _store.GetAsync(taskId);
        task.GetAwaiter().GetResult();
        return ((dynamic)task).Result;
    }

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    private sealed class TestClock : TimeProvider
    {
        public DateTime Now { get; set; } = DateTime.UtcNow;
        public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
    }
}
