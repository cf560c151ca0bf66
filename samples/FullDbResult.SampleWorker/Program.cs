// A worker with three demo tasks, to see a task go through in a minute. See samples/README.md.
// The same worker in a generic host (Windows service, systemd): AddFullDbResult(...).AddWorker(w => w.Register(...)),
// src/FullDbResult.Hosting/README.md.
using System.Runtime.InteropServices;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Worker;
using Microsoft.Extensions.Logging;

var options = ParseArguments(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: FullDbResult.SampleWorker [--broker URL] [--store CONNECTION_STRING] [--queue NAME]... [--concurrency N]
          --broker       default: $FULLDBRESULT_BROKER_URL, else amqp://guest:guest@localhost:5672/
          --store        default: $FULLDBRESULT_CONNECTION_STRING, else the embedded SQLite file
          --queue        default: celery
          --concurrency  default: the number of processors
        """);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
try
{
    return await RunAsync(options.Value, loggerFactory);
}
// Configuration errors (bad credentials, a malformed URL or connection string) and a broker that is not there
// at start: one line that says which, and a non-zero exit; a stack trace would only bury the message.
catch (Exception ex) when (ex is RabbitMqAuthenticationException or RabbitMqUnavailableException or ArgumentException)
{
    Console.Error.WriteLine($"FullDbResult.SampleWorker: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}

static async Task<int> RunAsync((string? Broker, string? Store, List<string> Queues, int? Concurrency) options, ILoggerFactory loggerFactory)
{
    var store = new TaskStore(options.Store is { } connectionString ? new StoreConnection(connectionString) : StoreConnection.Resolve());
    await using var connection = new RabbitMqConnection(
        RabbitMqConnection.ResolveUrl(options.Broker), "FullDbResult.SampleWorker", loggerFactory.CreateLogger<RabbitMqConnection>());
    await using var worker = new TaskWorker(connection, store, new TaskWorkerOptions
    {
        Queues = options.Queues.Count > 0 ? options.Queues : ["celery"],
        Concurrency = options.Concurrency ?? Environment.ProcessorCount,
    }, loggerFactory.CreateLogger<TaskWorker>());

    worker.Register("demo.add", (double x, double y) => x + y);
    worker.Register("demo.fail", object (string message = "demo.fail fails on purpose") => throw new InvalidOperationException(message));
    // A TaskContext parameter (FullDbResult.Worker) is supplied by the worker: the task's id, retries, and its cancellation.
    worker.Register("demo.sleep", async (double seconds, TaskContext context) =>
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds), context.CancellationToken);
        return seconds;
    });

    using var stop = new CancellationTokenSource();
    // Ctrl+C and SIGTERM stop gracefully: the handler keeps the runtime from exiting before StopAsync has run.
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.Cancel();
    }
    using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

    loggerFactory.CreateLogger("SampleWorker").LogInformation("Store: {Store}. Ctrl+C stops gracefully.", store);
    await worker.StartAsync();
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C or SIGTERM.
    }
    await worker.StopAsync();
    return 0;
}

static (string? Broker, string? Store, List<string> Queues, int? Concurrency)? ParseArguments(string[] args)
{
    string? broker = null, store = null;
    int? concurrency = null;
    var queues = new List<string>();
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--broker" when value is not null: broker = value; i++; break;
            case "--store" when value is not null: store = value; i++; break;
            case "--queue" when value is not null: queues.Add(value); i++; break;
            case "--concurrency" when int.TryParse(value, out var n) && n > 0: concurrency = n; i++; break;
            default: return null;
        }
    }
    return (broker, store, queues, concurrency);
}
