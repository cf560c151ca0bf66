// A worker or a dispatcher in a process of its own, for tests that kill it. See tests/FullDbResult.RabbitMq.Tests/Faults.
//   worker   BROKER_URL STORE_CONNECTION_STRING QUEUE RUNS_FILE TASK_MS
//     runs fault.work: appends the task id to RUNS_FILE (one line a run), then sleeps TASK_MS.
//   dispatch BROKER_URL STORE_CONNECTION_STRING BATCH_SIZE PUBLISH_DELAY_MS
//     dispatch passes until one claims nothing; each publish waits PUBLISH_DELAY_MS first, so that a kill
//     lands while a claimed batch is unsent. Prints "batch N" after each batch is published.
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Worker;
using Microsoft.Extensions.Logging;

using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
var store = new TaskStore(new StoreConnection(args[2], DatabaseProvider.PostgreSql));
await using var connection = new RabbitMqConnection(args[1], $"fault {args[0]} {Environment.ProcessId}", loggerFactory.CreateLogger<RabbitMqConnection>());

switch (args[0])
{
    case "worker":
        var (queue, runsFile, taskTime) = (args[3], args[4], TimeSpan.FromMilliseconds(int.Parse(args[5])));
        // .NET's FileMode.Append seeks to the end rather than opening with O_APPEND: concurrent appends would
        // overwrite each other's lines. Only one worker process runs at a time, so a lock in it is enough.
        var runsLock = new Lock();
        await using (var worker = new TaskWorker(connection, store, new TaskWorkerOptions { Queues = [queue], Concurrency = 4 }, loggerFactory.CreateLogger<TaskWorker>()))
        {
            worker.Register("fault.work", async (TaskContext context) =>
            {
                lock (runsLock) File.AppendAllText(runsFile, context.TaskId + "\n");
                await Task.Delay(taskTime);
                return context.TaskId.Length;
            });
            await worker.StartAsync();
            Console.WriteLine("ready");
            await Task.Delay(Timeout.Infinite);
        }
        return 0;
    case "dispatch":
        await using (var publisher = new RabbitMqTaskPublisher(connection))
        {
            var delayed = new DelayedPublisher(publisher, TimeSpan.FromMilliseconds(int.Parse(args[4])));
            var dispatcher = new ScheduledDispatcher(store, delayed, loggerFactory.CreateLogger<ScheduledDispatcher>());
            var batches = 0;
            var progress = new SynchronousProgress(_ => Console.WriteLine($"batch {++batches}"));
            DispatchSummary pass;
            do pass = await dispatcher.RunOnceAsync(new DispatchOptions { BatchSize = int.Parse(args[3]) }, progress);
            while (pass.Claimed > 0);
        }
        return 0;
    default:
        Console.Error.WriteLine($"unknown command {args[0]}");
        return 2;
}

/// <summary>Waits before each publish, to hold a claimed and recorded batch unsent for a while.</summary>
internal sealed class DelayedPublisher(ITaskPublisher inner, TimeSpan delay) : ITaskPublisher
{
    public async Task PublishAsync(IReadOnlyList<FullDbResult.Protocol.TaskMessage> messages, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken);
        await inner.PublishAsync(messages, cancellationToken);
    }
}

/// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool and print late.</summary>
internal sealed class SynchronousProgress(Action<DispatchSummary> report) : IProgress<DispatchSummary>
{
    public void Report(DispatchSummary value) => report(value);
}
