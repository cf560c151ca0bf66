namespace FullDbResult.Storage;

/// <summary>
/// The store writes only UTC, but providers hand times back without a kind (SQLite, SQL Server) and callers
/// may pass local times: every time is made UTC on its way in and out.
/// </summary>
internal static class UtcTimes
{
    public static DateTime? AsUtc(DateTime? value) => value is null ? null : AsUtc(value.Value);

    public static DateTime AsUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };
}
