namespace FullDbResult.Tests.Storage;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now;

    public ManualClock(DateTimeOffset? start = null) =>
        now = start ?? new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => now;

    public DateTime UtcNow => now.UtcDateTime;

    public void Advance(TimeSpan by) => now += by;
}
