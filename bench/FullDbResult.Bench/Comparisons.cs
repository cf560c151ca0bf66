namespace FullDbResult.Bench;

/// <summary>The side-by-side comparisons of issue 6, run in order, each printing its table.</summary>
public static class Comparisons
{
    private static readonly (string Name, Func<BenchSizes, Task> Run)[] All =
    [
        ("publish", async sizes => (await PublishBenchmark.RunAsync(sizes)).Print(
        [
            (PublishBenchmark.OurSingle, PublishBenchmark.RawSingle),
            (PublishBenchmark.OurSingle, PublishBenchmark.RawPairSingle),
            (PublishBenchmark.RawPairSingle, PublishBenchmark.RawSingle),
            .. PublishBenchmark.BatchSizes.SelectMany(batch => new[]
            {
                (PublishBenchmark.OurBatch(batch), PublishBenchmark.RawBatch(batch)),
                (PublishBenchmark.OurBatch(batch), PublishBenchmark.RawPairBatch(batch)),
                (PublishBenchmark.RawPairBatch(batch), PublishBenchmark.RawBatch(batch)),
            }),
            (PublishBenchmark.OurBatch(1000), PublishBenchmark.Celery),
            .. PublishBenchmark.ConcurrentCallers.SelectMany(callers => new[]
            {
                (PublishBenchmark.OurConcurrent(callers), PublishBenchmark.RawConcurrent(callers)),
                (PublishBenchmark.OurConcurrent(callers), PublishBenchmark.Celery),
                (PublishBenchmark.OurConcurrent(callers), PublishBenchmark.OurUnshared(callers)),
            }),
        ])),
        ("worker", async sizes =>
        {
            foreach (var table in await WorkerBenchmark.RunAsync(sizes))
                table.Print(
                    (WorkerBenchmark.Ours, WorkerBenchmark.CeleryDatabase),
                    (WorkerBenchmark.Ours, WorkerBenchmark.CeleryNoBackend),
                    (WorkerBenchmark.OursStartedFirst, WorkerBenchmark.CeleryNoBackend),
                    (WorkerBenchmark.Ours, WorkerBenchmark.OursStartedFirst),
                    (WorkerBenchmark.OursOutcomeOnly, WorkerBenchmark.CeleryDatabase),
                    (WorkerBenchmark.OursOutcomeOnly, WorkerBenchmark.CeleryNoBackend));
        }),
        ("hangfire", async sizes => (await HangfireBenchmark.RunAsync(sizes)).Print(
            (HangfireBenchmark.OurSendMany, HangfireBenchmark.HangfireEnqueue),
            (HangfireBenchmark.OurSend, HangfireBenchmark.HangfireEnqueue),
            (HangfireBenchmark.OurDispatch, HangfireBenchmark.HangfireDelayed))),
        ("events", async sizes => (await EventsBenchmark.RunAsync(sizes)).Print((EventsBenchmark.MonitorStores, EventsBenchmark.CeleryProduces))),
        ("memory", MemoryBenchmark.RunAsync),
        ("queries", QueryBenchmark.RunAsync),
        ("dashboard", DashboardBenchmark.RunAsync),
    ];

    public static IEnumerable<string> Names => All.Select(c => c.Name);

    public static async Task RunAsync(BenchSizes sizes, IReadOnlyCollection<string> only)
    {
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var (name, run) in All.Where(c => only.Count == 0 || only.Contains(c.Name)))
            await run(sizes);
    }
}
