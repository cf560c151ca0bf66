using System.Diagnostics;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace FullDbResult.Bench;

/// <summary>
/// Tracked publish (row, then publish with confirms) single and batched, beside its physical limits in the
/// same run: raw RabbitMQ.Client publishing with confirms (no database), raw Npgsql inserts of the same
/// rows (no broker), the two raw steps one after the other (the floor of row-then-publish), and Celery's
/// untracked send_task to the same broker.
/// </summary>
public static class PublishBenchmark
{
    public const string RawSingle = "raw RabbitMQ.Client, confirm per message";
    public const string RawPairSingle = "raw pair: Npgsql INSERT, then publish and confirm";
    public const string OurSingle = "FullDbResult SendAsync (row + confirm per task)";
    public const string Celery = "Celery 5.2 send_task (untracked, no confirms)";
    private const string Queue = "bench-publish";
    private const string Args = "[1, \"payload\"]";
    private const string Kwargs = "{\"report\": \"daily\"}";
    public static readonly int[] BatchSizes = [100, 1000];
    public static readonly int[] ConcurrentCallers = [8, 64];

    public static string RawBatch(int batch) => $"raw RabbitMQ.Client, confirms per {batch}";
    public static string RawPairBatch(int batch) => $"raw pair: Npgsql INSERT of {batch}, then {batch} confirms";
    public static string OurBatch(int batch) => $"FullDbResult SendManyAsync, {batch} a batch";
    public static string RawConcurrent(int callers) => $"raw RabbitMQ.Client, confirm per message, {callers} callers";
    public static string OurConcurrent(int callers) => $"FullDbResult SendAsync, {callers} concurrent callers";
    public static string OurUnshared(int callers) => $"SendManyAsync of 1 (SendAsync before issue 18), {callers} callers";

    public static async Task<ResultTable> RunAsync(BenchSizes sizes)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench_publish");
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        await using var connection = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString());
        await using var publisher = new RabbitMqTaskPublisher(connection);
        var client = new TaskClient(store, publisher);
        await client.SendAsync("bench.noop", Args, Kwargs, new SendOptions { Queue = Queue }); // declares the queue, warms both ends

        await using var raw = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await raw.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var wire = CeleryProtocol.Encode(new TaskMessage { Id = TaskClient.NewTaskId(), Name = "bench.noop", Args = Args, Kwargs = Kwargs, RoutingKey = Queue });
        var properties = new BasicProperties { ContentType = wire.ContentType, ContentEncoding = wire.ContentEncoding, DeliveryMode = DeliveryModes.Persistent, Headers = wire.Headers };

        await using var npgsql = new NpgsqlConnection(database);
        await npgsql.OpenAsync();

        var table = new ResultTable("Tracked publish (persistent messages, confirms; PostgreSQL fsync off)", "msg/s");
        // Every contender starts from an empty queue: RabbitMQ 3.10 confirms persistent messages several times
        // slower once a classic queue holds some 30,000 of them, which would favour whoever ran first.
        async Task MeasureAsync(string contender, int count, Func<Task> work)
        {
            await channel.QueuePurgeAsync(Queue);
            table.Add(contender, await RateAsync(count, work));
        }
        Task PublishRawAsync(int count) =>
            Task.WhenAll(Enumerable.Range(0, count).Select(_ => channel.BasicPublishAsync("", Queue, mandatory: true, properties, wire.Body).AsTask()));

        for (var run = 0; run < sizes.Runs; run++)
        {
            await MeasureAsync(RawSingle, sizes.SingleSends, async () =>
            {
                for (var i = 0; i < sizes.SingleSends; i++) await PublishRawAsync(1);
            });
            await MeasureAsync("raw Npgsql INSERT per row", sizes.SingleSends, async () =>
            {
                for (var i = 0; i < sizes.SingleSends; i++) await InsertRowsAsync(npgsql, 1);
            });
            await MeasureAsync(RawPairSingle, sizes.SingleSends, async () =>
            {
                for (var i = 0; i < sizes.SingleSends; i++)
                {
                    await InsertRowsAsync(npgsql, 1);
                    await PublishRawAsync(1);
                }
            });
            await MeasureAsync(OurSingle, sizes.SingleSends, async () =>
            {
                for (var i = 0; i < sizes.SingleSends; i++)
                    await client.SendAsync("bench.noop", Args, Kwargs, new SendOptions { Queue = Queue });
            });
            foreach (var callers in ConcurrentCallers)
            {
                // Enough sends that each caller makes several; the machine's two cores bound the rest.
                var count = Math.Min(sizes.SingleSends * callers, sizes.BatchedSends);
                await MeasureAsync(RawConcurrent(callers), count, () => ConcurrentlyAsync(callers, count, () => PublishRawAsync(1)));
                await MeasureAsync(OurConcurrent(callers), count, () => ConcurrentlyAsync(callers, count,
                    () => client.SendAsync("bench.noop", Args, Kwargs, new SendOptions { Queue = Queue })));
                await MeasureAsync(OurUnshared(callers), count, () => ConcurrentlyAsync(callers, count,
                    () => client.SendManyAsync([new TaskSend("bench.noop", Args, Kwargs, new SendOptions { Queue = Queue })])));
            }
            foreach (var batch in BatchSizes)
            {
                await MeasureAsync(RawBatch(batch), sizes.BatchedSends, async () =>
                {
                    for (var sent = 0; sent < sizes.BatchedSends; sent += batch) await PublishRawAsync(batch);
                });
                await MeasureAsync($"raw Npgsql INSERT unnest, {batch} rows", sizes.BatchedSends, async () =>
                {
                    for (var sent = 0; sent < sizes.BatchedSends; sent += batch) await InsertRowsAsync(npgsql, batch);
                });
                await MeasureAsync(RawPairBatch(batch), sizes.BatchedSends, async () =>
                {
                    for (var sent = 0; sent < sizes.BatchedSends; sent += batch)
                    {
                        await InsertRowsAsync(npgsql, batch);
                        await PublishRawAsync(batch);
                    }
                });
                var sends = Enumerable.Repeat(new TaskSend("bench.noop", Args, Kwargs, new SendOptions { Queue = Queue }), batch).ToList();
                await MeasureAsync(OurBatch(batch), sizes.BatchedSends, async () =>
                {
                    for (var sent = 0; sent < sizes.BatchedSends; sent += batch) await client.SendManyAsync(sends);
                });
            }
        }

        await channel.QueuePurgeAsync(Queue);
        foreach (var rate in CelerySendRates(sizes))
            table.Add(Celery, rate);
        await channel.QueuePurgeAsync(Queue);
        return table;
    }

    // Callers that each send one at a time, awaiting each send, until count sends are done between them.
    private static Task ConcurrentlyAsync(int callers, int count, Func<Task> send)
    {
        var left = count;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref left) >= 0) await send();
        })));
    }

    private static async Task<double> RateAsync(int count, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        await work();
        return count / clock.Elapsed.TotalSeconds;
    }

    // The columns a tracked send writes that carry data; the rest stay at their defaults.
    private static async Task InsertRowsAsync(NpgsqlConnection connection, int count)
    {
        var now = DateTime.UtcNow;
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, exchange, routing_key, queue, date_submitted, date_updated)
            SELECT id, 'bench.noop', 'PENDING', @args, @kwargs, '', @queue, @queue, @now, @now FROM unnest(@ids) AS id
            """, connection);
        command.Parameters.AddWithValue("ids", Enumerable.Range(0, count).Select(_ => TaskClient.NewTaskId()).ToArray());
        command.Parameters.AddWithValue("args", Args);
        command.Parameters.AddWithValue("kwargs", Kwargs);
        command.Parameters.AddWithValue("queue", Queue);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync();
    }

    private static IEnumerable<double> CelerySendRates(BenchSizes sizes)
    {
        var result = CeleryPython.RunScript(
            Path.Combine(AppContext.BaseDirectory, "python", "celery_send.py"),
            [RabbitMqServer.Shared.AmqpUri.ToString(), Queue, sizes.BatchedSends.ToString(), sizes.Runs.ToString()],
            timeout: TimeSpan.FromMinutes(5));
        if (!result.Succeeded) throw new InvalidOperationException($"celery_send.py failed:\n{result.StandardError}");
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse);
    }
}
