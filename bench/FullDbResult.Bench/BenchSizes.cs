namespace FullDbResult.Bench;

/// <summary>How much work each comparison does: quick is a smoke run in under a minute, full is for the numbers in docs/benchmarks.md.</summary>
public sealed record BenchSizes(
    int Runs,
    int SingleSends,
    int BatchedSends,
    int WorkerTasks,
    int[] WorkerConcurrency,
    int ScheduledRows,
    int CeleryCountdownTasks,
    int HangfireJobs,
    int PostgresQueryRows,
    int SqliteQueryRows)
{
    public static readonly BenchSizes Quick = new(
        Runs: 1, SingleSends: 200, BatchedSends: 2_000, WorkerTasks: 500, WorkerConcurrency: [1],
        ScheduledRows: 100_000, CeleryCountdownTasks: 1_000, HangfireJobs: 200,
        PostgresQueryRows: 100_000, SqliteQueryRows: 100_000);

    public static readonly BenchSizes Full = new(
        Runs: 3, SingleSends: 500, BatchedSends: 10_000, WorkerTasks: 2_000, WorkerConcurrency: [1, 2],
        ScheduledRows: 1_000_000, CeleryCountdownTasks: 50_000, HangfireJobs: 2_000,
        PostgresQueryRows: 10_000_000, SqliteQueryRows: 1_000_000);

    public static BenchSizes? Parse(string mode) => mode switch
    {
        "quick" => Quick,
        "full" => Full,
        _ => null,
    };
}
