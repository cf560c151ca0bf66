using Dapper;
using FullDbResult.Json;

namespace FullDbResult.Storage;

// Housekeeping: purge old results in batches, repair results stored as bare strings.
public sealed partial class TaskStore
{
    /// <summary>
    /// Deletes results older than the request's age in the given states, a batch per statement so that no
    /// single DELETE holds locks on millions of rows. SCHEDULED rows are never purged. Returns the count.
    /// </summary>
    public async Task<long> PurgeAsync(PurgeRequest request, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var (where, args) = PurgeFilter(request);
        args.Add("Limit", request.BatchSize);
        var sql = Dialect.DeleteBatch(where, "date_updated");
        long total = 0;
        while (true)
        {
            int deleted;
            await using (var connection = await Database.OpenAsync(cancellationToken))
                deleted = await connection.ExecuteAsync(Database.Command(sql, args.Parameters, cancellationToken: cancellationToken));
            total += deleted;
            progress?.Report(total);
            if (deleted < request.BatchSize) return total;
        }
    }

    /// <summary>
    /// How many rows <see cref="PurgeAsync"/> would delete now: what -WhatIf tells. Counted on the
    /// (status, date_updated) index, one range per state.
    /// </summary>
    public async Task<long> CountPurgeableAsync(PurgeRequest request, CancellationToken cancellationToken = default)
    {
        var (where, args) = PurgeFilter(request);
        await using var connection = await Database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(Database.Command(
            $"SELECT COUNT(*) FROM {TaskRow.Table} WHERE {where}", args.Parameters, cancellationToken: cancellationToken));
    }

    /// <summary>The rows a purge deletes, after checking the request: SCHEDULED rows are never among them.</summary>
    private (string Where, SqlParameters Args) PurgeFilter(PurgeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(request), "The purge batch size must be positive.");
        if (request.OlderThan < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(request), "The purge age cannot be negative.");
        var states = TaskStates.Normalize(request.States) ?? TaskStates.DefaultTerminal;
        if (states.Count == 0) throw new ArgumentException("No states to purge were given.", nameof(request));
        if (states.Contains(TaskStates.Scheduled))
            throw new ArgumentException("SCHEDULED tasks are never purged: they have not run yet. Cancel them first.", nameof(request));
        var args = Database.Parameters().Add("Cutoff", Database.UtcNow - request.OlderThan);
        return ("status IN " + args.In("State", states) + " AND date_updated < @Cutoff", args);
    }

    /// <summary>
    /// Finds results stored as bare, unquoted strings (what old result backends wrote) and stores them as
    /// JSON strings. Reads the table in id order, a page at a time. Returns the number repaired.
    /// </summary>
    public async Task<long> RepairResultsAsync(IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        long repaired = 0, lastId = 0;
        while (true)
        {
            List<(long Id, string Result)> page;
            await using (var connection = await Database.OpenAsync(cancellationToken))
            {
                page = (await connection.QueryAsync<(long, string)>(Database.Command(
                    $"SELECT {Dialect.Top}id, result FROM {TaskRow.Table} WHERE id > @AfterId AND result IS NOT NULL ORDER BY id{Dialect.Limit}",
                    Database.Parameters().Add("AfterId", lastId).Add("Limit", Options.PageSize).Parameters,
                    cancellationToken: cancellationToken))).AsList();

                foreach (var (id, result) in page)
                {
                    if (ResultRepair.Repair(result) is not { } fixedResult) continue;
                    // Only where the result is still the bad value, so a worker's newer write wins.
                    repaired += await connection.ExecuteAsync(Database.Command(
                        $"UPDATE {TaskRow.Table} SET result = @Fixed WHERE id = @Id AND result = @Old",
                        Database.Parameters().Add("Fixed", fixedResult).Add("Id", id).Add("Old", result).Parameters,
                        cancellationToken: cancellationToken));
                }
            }
            progress?.Report(repaired);
            if (page.Count < Options.PageSize) return repaired;
            lastId = page[^1].Id;
        }
    }
}
