using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Worker.Events;

/// <summary>
/// Celery's worker events from our worker (<see cref="WorkerOptions.SendEvents"/>, off by default as in Celery):
/// task-received, -started, -succeeded, -failed, -retried, -rejected, -revoked, and worker-online, -heartbeat
/// (every two seconds, Celery's default) and -offline, in Celery 5.2's form (<see cref="CeleryEventMessage"/>), so
/// <c>celery events</c>, Flower and the event monitor see our workers beside Python ones. Results and exceptions
/// are Python reprs, as Celery sends them. Best effort, as in Celery: an event never delays or fails a task;
/// events wait in a bounded queue for one sending loop, and when the broker cannot take them the oldest are
/// dropped and counted in the log.
/// </summary>
internal sealed class WorkerEvents(IMessagePublisher? publisher, WorkerOptions options, ILogger logger) : IAsyncDisposable
{
    /// <summary>Celery's <c>worker_heartbeat</c> interval, which receivers expect (they mark a worker offline after two missed).</summary>
    internal static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    private const int Capacity = 10_000;
    private static readonly string SoftwareVersion = typeof(WorkerEvents).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    private readonly Channel<(string Type, byte[] Event)> _queue = Channel.CreateBounded<(string Type, byte[] Event)>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private long _clock;
    private int _active;
    private long _processed;
    private long _dropped;
    private int _stopped;
    private Task? _sending;
    private Task? _beating;

    public bool Enabled => publisher is not null && options.SendEvents;

    // Each method returns at once when events are off: the reprs are built only for events that are sent.

    public void TaskReceived(TaskMessage message)
    {
        if (!Enabled) return;
        Task("task-received", message.Id,
            ("name", message.Name), ("args", message.ArgsRepr ?? PythonRepr.OfArgs(message.Args)), ("kwargs", message.KwargsRepr ?? PythonRepr.OfKwargs(message.Kwargs)),
            ("root_id", message.RootId), ("parent_id", message.ParentId), ("retries", message.Retries),
            ("eta", message.Eta is { } eta ? Iso(eta) : null), ("expires", message.Expires is { } expires ? Iso(expires) : null));
    }

    public void TaskStarted(TaskMessage message)
    {
        if (!Enabled) return;
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _processed);
        Task("task-started", message.Id);
    }

    public void TaskSucceeded(TaskMessage message, string resultJson, TimeSpan runtime)
    {
        if (Enabled) Ready("task-succeeded", message.Id, ("result", Repr(resultJson)), ("runtime", runtime.TotalSeconds));
    }

    public void TaskFailed(TaskMessage message, string type, string text, string? traceback)
    {
        if (Enabled) Ready("task-failed", message.Id, ("exception", ExceptionRepr(type, text)), ("traceback", traceback));
    }

    public void TaskRetried(TaskMessage message, string type, string text, string? traceback)
    {
        if (Enabled) Ready("task-retried", message.Id, ("exception", ExceptionRepr(type, text)), ("traceback", traceback));
    }

    /// <summary>Celery's event for a task it has no handler for: task-failed with <c>NotRegistered('name')</c> and no traceback.</summary>
    public void TaskNotRegistered(string taskId, string name)
    {
        if (Enabled) Task("task-failed", taskId, ("exception", ExceptionRepr("NotRegistered", name)));
    }

    public void TaskRejected(string taskId)
    {
        if (Enabled) Task("task-rejected", taskId, ("requeue", false));
    }

    /// <summary>Celery's task-revoked: for a task revoked before it ran, terminated while running, or expired.</summary>
    public void TaskRevoked(string taskId, bool terminated, bool expired)
    {
        if (Enabled) Task("task-revoked", taskId, ("terminated", terminated), ("signum", null), ("expired", expired));
    }

    /// <summary>Sends worker-online and starts the heartbeats and the sending loop.</summary>
    public void Start()
    {
        if (!Enabled) return;
        Worker("worker-online");
        _sending = SendLoopAsync();
        _beating = HeartbeatLoopAsync();
    }

    /// <summary>Sends worker-offline after what is queued, and stops.</summary>
    public async Task StopAsync()
    {
        if (!Enabled || _sending is null || Interlocked.CompareExchange(ref _stopped, 1, 0) != 0) return;
        await _stop.CancelAsync();
        await _beating!;
        Worker("worker-offline");
        _queue.Writer.TryComplete();
        await _sending;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Interlocked.Exchange(ref _stopped, 2) != 2) _stop.Dispose();
    }

    private void Ready(string type, string taskId, params (string, object?)[] fields)
    {
        Interlocked.Decrement(ref _active);
        Task(type, taskId, fields);
    }

    private void Task(string type, string taskId, params (string Name, object? Value)[] fields) =>
        Enqueue(type, [new("uuid", taskId), .. fields.Select(f => new KeyValuePair<string, object?>(f.Name, f.Value))]);

    private void Worker(string type) => Enqueue(type,
    [
        new("freq", HeartbeatInterval.TotalSeconds),
        new("active", Math.Max(0, Volatile.Read(ref _active))),
        new("processed", Interlocked.Read(ref _processed)),
        new("loadavg", LoadAverage()),
        new("sw_ident", "fulldbresult"),
        new("sw_ver", SoftwareVersion),
        new("sw_sys", SystemName()),
    ]);

    private void Enqueue(string type, IEnumerable<KeyValuePair<string, object?>> fields)
    {
        var @event = CeleryEventMessage.Event(type, options.WorkerName, Interlocked.Increment(ref _clock), options.Clock.GetUtcNow(), fields);
        if (_queue.Reader.Count >= Capacity) Interlocked.Increment(ref _dropped);
        _queue.Writer.TryWrite((type, @event));
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<(string Type, byte[] Event)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < 500 && _queue.Reader.TryRead(out var queued)) batch.Add(queued);
            // What queued up meanwhile, in order; task events as task.multi lists, as a Celery worker flushes its buffer.
            var messages = new List<WireMessage>();
            var tasks = new List<byte[]>();
            foreach (var (type, @event) in batch)
            {
                if (type.StartsWith("task-", StringComparison.Ordinal))
                {
                    tasks.Add(@event);
                    continue;
                }
                if (tasks.Count > 0) messages.Add(CeleryEventMessage.Multi("task", options.WorkerName, tasks));
                tasks = [];
                messages.Add(CeleryEventMessage.Single(type, options.WorkerName, @event));
            }
            if (tasks.Count > 0) messages.Add(CeleryEventMessage.Multi("task", options.WorkerName, tasks));
            try
            {
                await System.Threading.Tasks.Task.WhenAll(messages.Select(m => publisher!.PublishAsync(m, CancellationToken.None)));
            }
            catch (Exception ex)
            {
                logger.LogWarning("Worker {Worker}: {Count} events were not sent: {Error}", options.WorkerName, batch.Count, ex.Message);
                await Pause();
            }
            batch.Clear();
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
                logger.LogWarning("Worker {Worker}: {Dropped} events were dropped: the broker did not take them fast enough", options.WorkerName, dropped);
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        try
        {
            while (true)
            {
                await System.Threading.Tasks.Task.Delay(HeartbeatInterval, options.Clock, _stop.Token);
                Worker("worker-heartbeat");
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static async Task Pause()
    {
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(1));
    }

    /// <summary>Python's <c>repr</c> of an exception made with one message: <c>ValueError('boom')</c>.</summary>
    private static string ExceptionRepr(string type, string text) => $"{type}({Repr(TaskJson.Serialize(text))})";

    private static string Repr(string json)
    {
        try
        {
            return PythonRepr.OfJson(json);
        }
        catch (JsonException)
        {
            // Not JSON after all: shown as it is rather than failing the event, let alone the task.
            return json;
        }
    }

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    // celery.utils.sysinfo.load_average: the 1, 5 and 15 minute load, rounded up to two decimals; zeros where the system has none.
    private static double[] LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Take(3).Select(f => Math.Ceiling(double.Parse(f, CultureInfo.InvariantCulture) * 100) / 100).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return [0.0, 0.0, 0.0];
        }
    }

    // platform.system()'s names.
    private static string SystemName() =>
        OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "Darwin" : RuntimeInformation.OSDescription;
}
