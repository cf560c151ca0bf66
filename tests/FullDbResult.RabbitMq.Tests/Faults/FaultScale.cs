namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>
/// The size of a fault run: CI size by default (each test well under a minute), multiplied by
/// FULLDBRESULT_FAULT_SCALE for the full-size runs in docs/benchmarks.md.
/// </summary>
public static class FaultScale
{
    public const string Variable = "FULLDBRESULT_FAULT_SCALE";

    public static int Factor { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out var factor) && factor > 0 ? factor : 1;

    public static int Of(int ciSize) => ciSize * Factor;

    /// <summary>A wait that grows with the run's size.</summary>
    public static TimeSpan Seconds(int ciSeconds) => TimeSpan.FromSeconds(ciSeconds * Factor);
}
