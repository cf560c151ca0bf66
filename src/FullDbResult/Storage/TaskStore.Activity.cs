using Dapper;

namespace FullDbResult.Storage;

// What a dashboard's overview reads: how many tasks are in each state, and how many reached a state per minute.
// Both read only the (status, date_updated) index, one range of it per status.
public sealed partial class TaskStore
{
    /// <summary>The number of tasks in each status among those last changed at or after <paramref name="since"/> (UTC).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(DateTime since, CancellationToken cancellationToken = default)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var statuses = await GetStatusesAsync(cancellationToken);
        var sql = $"SELECT COUNT(*) FROM {TaskRow.Table} t WHERE t.status = @Status AND t.date_updated >= @Since";
        await using var connection = await Database.OpenAsync(cancellationToken);
        foreach (var status in statuses)
        {
            var parameters = Database.Parameters().Add("Status", status).Add("Since", since).Parameters;
            counts[status] = await connection.ExecuteScalarAsync<long>(Database.Command(sql, parameters, cancellationToken: cancellationToken));
        }
        return counts;
    }

    /// <summary>
    /// Per minute since <paramref name="since"/> (UTC), how many tasks whose last change was into
    /// <paramref name="status"/> changed then: finished tasks per minute for SUCCESS, failures for FAILURE.
    /// Minutes without any are left out.
    /// </summary>
    public async Task<IReadOnlyList<TaskActivity>> GetActivityAsync(string status, DateTime since, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(status);
        var minute = Dialect.MinutesSince2000("t.date_updated");
        var sql = $"SELECT {minute} AS Minute, COUNT(*) AS Count FROM {TaskRow.Table} t" +
            $" WHERE t.status = @Status AND t.date_updated >= @Since GROUP BY {minute} ORDER BY {minute}";
        var parameters = Database.Parameters().Add("Status", status).Add("Since", since).Parameters;
        await using var connection = await Database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Minute, long Count)>(Database.Command(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => new TaskActivity(Epoch2000.AddMinutes(r.Minute), r.Count)).ToList();
    }

    /// <summary>How many tasks each worker holds in <paramref name="status"/> (STARTED: running now), in one seek of the status index.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByWorkerAsync(string status, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(status);
        var sql = $"SELECT t.worker AS Worker, COUNT(*) AS Count FROM {TaskRow.Table} t WHERE t.status = @Status AND t.worker IS NOT NULL GROUP BY t.worker";
        await using var connection = await Database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Worker, long Count)>(Database.Command(sql, Database.Parameters().Add("Status", status).Parameters, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Worker, r => r.Count, StringComparer.Ordinal);
    }

    private static readonly DateTime Epoch2000 = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);
}

/// <summary>How many tasks reached a state in the minute that starts at <paramref name="Minute"/> (UTC).</summary>
public sealed record TaskActivity(DateTime Minute, long Count);
