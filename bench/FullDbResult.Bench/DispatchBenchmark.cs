using System.Diagnostics;
using FullDbResult.RabbitMq;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace FullDbResult.Bench;

/// <summary>
/// Schedules N tasks on PostgreSQL, then dispatches them all to RabbitMQ with confirms and reports the
/// dispatcher's rate and peak memory. The tasks go through an exchange to a queue that keeps the newest
/// 10,000 messages, so the broker's memory stays bounded; the rows prove every task was sent.
/// </summary>
public static class DispatchBenchmark
{
    private const int SeedChunk = 10_000;

    public static async Task RunAsync(int count, int batchSize, int dispatchers)
    {
        var database = PostgresServer.Shared.CreateDatabase("bench");
        var queue = $"bench-dispatch-{Guid.NewGuid():N}";
        await using (var connection = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.ExchangeDeclareAsync(queue, ExchangeType.Direct);
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-max-length"] = 10_000 });
            await channel.QueueBindAsync(queue, queue, queue);
        }

        var seeded = Stopwatch.StartNew();
        var store = new TaskStore(new StoreConnection(database, DatabaseProvider.PostgreSql));
        var due = DateTime.UtcNow.AddMinutes(-1);
        for (var start = 0; start < count; start += SeedChunk)
            await store.InsertManyAsync(Enumerable.Range(start, Math.Min(SeedChunk, count - start)).Select(i => new TaskRecord
            {
                TaskId = $"scheduled-{i}",
                TaskName = "bench.scheduled",
                Status = TaskStates.Scheduled,
                Args = $"[{i}, \"payload\"]",
                Kwargs = "{\"report\": \"daily\"}",
                Eta = due.AddTicks(-i),
                Exchange = queue,
                RoutingKey = queue,
            }).ToList());
        Console.WriteLine($"seeded {count:N0} scheduled rows in {seeded.Elapsed.TotalSeconds:F1} s");

        var connections = Enumerable.Range(0, dispatchers).Select(_ => new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString())).ToList();
        var transports = connections.Select(c => new RabbitMqTaskPublisher(c)).ToList();
        var publishers = transports.Select(t => new TimedPublisher(t)).ToList();
        var sent = 0;
        DispatchSummary[] summaries;
        TimeSpan elapsed;
        long startRss, peakRss, peakHeap;
        await using (var memory = PeakMemory.Start())
        {
            var clock = Stopwatch.StartNew();
            summaries = await Task.WhenAll(publishers.Select(publisher => Task.Run(() =>
                new ScheduledDispatcher(new TaskStore(store.Connection), publisher).RunOnceAsync(
                    new DispatchOptions { BatchSize = batchSize },
                    new InlineProgress(batchSent =>
                    {
                        var total = Interlocked.Add(ref sent, batchSent);
                        if (total / 100_000 != (total - batchSent) / 100_000)
                            Console.WriteLine($"  {total:N0} sent, {clock.Elapsed.TotalSeconds:F0} s, {Environment.WorkingSet / 1048576} MB resident");
                    })))));
            elapsed = clock.Elapsed;
            (startRss, peakRss, peakHeap) = (memory.StartResidentBytes, memory.PeakResidentBytes, memory.PeakHeapBytes);
        }
        foreach (var transport in transports) await transport.DisposeAsync();
        foreach (var connection in connections) await connection.DisposeAsync();

        var total = summaries.Sum(s => s.Sent);
        var failed = summaries.Sum(s => s.Failed + s.Skipped);
        var marked = await CountAsync(database, "SELECT count(*) FROM fulldbresult_task WHERE status = 'SCHEDULED_SENT'");
        var pending = await CountAsync(database, "SELECT count(*) FROM fulldbresult_task WHERE status = 'PENDING' AND retried_from IS NOT NULL");
        Console.WriteLine($"dispatched {total:N0} ({failed} failed or skipped) in {elapsed.TotalSeconds:F1} s: {total / elapsed.TotalSeconds:N0} tasks/s, " +
                          $"batch {batchSize}, {dispatchers} dispatcher(s); publishing and confirms took {publishers.Sum(p => p.Elapsed.TotalSeconds):F1} s of dispatcher time");
        Console.WriteLine($"rows: {marked:N0} SCHEDULED_SENT, {pending:N0} PENDING sent by the dispatcher");
        Console.WriteLine($"dispatcher process: resident {startRss / 1048576} MB at start, peak {peakRss / 1048576} MB; peak managed heap {peakHeap / 1048576} MB");
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Reports each batch's sent count on the dispatcher's thread.</summary>
    private sealed class InlineProgress(Action<int> batchSent) : IProgress<DispatchSummary>
    {
        private int _last;

        public void Report(DispatchSummary value)
        {
            batchSent(value.Sent - _last);
            _last = value.Sent;
        }
    }
}
