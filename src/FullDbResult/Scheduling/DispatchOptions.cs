namespace FullDbResult.Scheduling;

/// <summary>How much one dispatch pass claims and sends.</summary>
public sealed class DispatchOptions
{
    /// <summary>Rows claimed, recorded and published together: one claim statement, one transaction, one confirm wait.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The most rows one pass sends; null sends every row that is due.</summary>
    public int? Limit { get; set; }

    internal void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "The batch size must be positive.");
        if (Limit is <= 0) throw new ArgumentOutOfRangeException(nameof(Limit), Limit, "The limit must be positive when given.");
    }
}
