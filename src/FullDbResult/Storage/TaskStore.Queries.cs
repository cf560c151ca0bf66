using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using FullDbResult.Tasks;

namespace FullDbResult.Storage;

// Reading tasks: filtered listings, stale tasks and stale scheduled claims. Every query pages by keyset
// (the ordering columns plus id), so a listing over millions of rows starts at once and each page is an
// index seek.
public sealed partial class TaskStore
{
    /// <summary>Tasks matching <paramref name="query"/>, newest change first, streamed page by page.</summary>
    public async IAsyncEnumerable<TaskRecord> QueryAsync(TaskQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var conditions = new List<string>();
        var filter = new SqlArgs(Dialect);
        AddNameFilter(query.Name, "t", conditions, filter);
        if (query.Statuses is { Count: > 0 }) conditions.Add("t.status IN " + filter.In("Status", query.Statuses));
        if (query.Since is { } since) { conditions.Add("t.date_updated >= @Since"); filter.Add("Since", since); }
        if (query.Until is { } until) { conditions.Add("t.date_updated < @Until"); filter.Add("Until", until); }

        await foreach (var record in PageAsync<TaskRecord>(conditions, filter, query.First,
                           "t.date_updated", descending: true, r => r.DateUpdated, joinWorkers: false, cancellationToken))
            yield return record;
    }

    /// <summary>
    /// Tasks that are not terminal and have not changed for longer than the query's age, oldest first.
    /// SCHEDULED rows are the scheduled query's business; retried rows are left out unless asked for.
    /// </summary>
    public async IAsyncEnumerable<StaleTask> GetStaleTasksAsync(StaleTaskQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.OlderThan < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(query), "The age of a stale task cannot be negative.");
        var terminal = query.TerminalStates ?? TaskStates.DefaultTerminal;
        // status IN (the non-terminal statuses present) seeks the (status, date_updated) index once per
        // status; NOT IN (terminal) would read the whole index.
        var open = (await GetStatusesAsync(cancellationToken))
            .Where(status => status != TaskStates.Scheduled && !terminal.Contains(status))
            .ToList();
        if (open.Count == 0) yield break;

        var now = UtcNow;
        var filter = new SqlArgs(Dialect).Add("Cutoff", now - query.OlderThan);
        var conditions = new List<string> { "t.status IN " + filter.In("Status", open), "t.date_updated < @Cutoff" };
        if (!query.IncludeRetried) conditions.Add("t.retried_as IS NULL");
        AddNameFilter(query.Name, "t", conditions, filter);

        var silentSince = now - Options.HeartbeatTimeout;
        await foreach (var task in PageAsync<StaleTask>(conditions, filter, query.First,
                           "t.date_updated", descending: false, r => r.DateUpdated, joinWorkers: true, cancellationToken))
        {
            task.WorkerLastSeen = SqlArgs.AsUtc(task.WorkerLastSeen);
            task.WorkerStoppedAt = SqlArgs.AsUtc(task.WorkerStoppedAt);
            task.PossiblyAborted = task.Status == TaskStates.Started
                && (task.WorkerStoppedAt is not null || task.WorkerLastSeen < silentSince);
            yield return task;
        }
    }

    /// <summary>
    /// SCHEDULED rows that a dispatcher claimed longer ago than <paramref name="olderThan"/> but never
    /// marked sent: the dispatcher died between its claim and its bookkeeping.
    /// </summary>
    public async IAsyncEnumerable<TaskRecord> GetStaleScheduledAsync(TimeSpan olderThan, int? first = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = new SqlArgs(Dialect).Add("Cutoff", UtcNow - olderThan);
        var conditions = new List<string> { "t.status = 'SCHEDULED'", "t.scheduled_id IS NOT NULL", "t.claimed_at < @Cutoff" };
        await foreach (var record in PageAsync<TaskRecord>(conditions, filter, first,
                           "t.claimed_at", descending: false, r => r.ClaimedAt!.Value, joinWorkers: false, cancellationToken))
            yield return record;
    }

    /// <summary>SCHEDULED rows due now and not claimed, soonest first: what the next dispatch pass would send.</summary>
    public async IAsyncEnumerable<TaskRecord> GetDueScheduledAsync(int? first = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = new SqlArgs(Dialect).Add("Now", UtcNow);
        var conditions = new List<string> { "t.status = 'SCHEDULED'", "t.scheduled_id IS NULL", "t.eta <= @Now" };
        await foreach (var record in PageAsync<TaskRecord>(conditions, filter, first,
                           "t.eta", descending: false, r => r.Eta!.Value, joinWorkers: false, cancellationToken))
            yield return record;
    }

    /// <summary>The distinct statuses in the task table.</summary>
    public async Task<IReadOnlyList<string>> GetStatusesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(Command(Dialect.DistinctStatuses, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>
    /// Runs a keyset-paged query: pages ordered by (<paramref name="orderColumn"/>, id), each page starting
    /// after the last row of the one before.
    /// </summary>
    private async IAsyncEnumerable<TRecord> PageAsync<TRecord>(
        IReadOnlyList<string> conditions, SqlArgs filter, int? first, string orderColumn, bool descending,
        Func<TRecord, DateTime> orderValue, bool joinWorkers, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRecord : TaskRecord
    {
        if (first is < 0) throw new ArgumentOutOfRangeException(nameof(first), "The number of rows to return cannot be negative.");
        var direction = descending ? "DESC" : "ASC";
        var after = descending ? "<" : ">";
        var remaining = first ?? int.MaxValue;
        DateTime? lastValue = null;
        long lastId = 0;
        while (remaining > 0)
        {
            var pageSize = Math.Min(Options.PageSize, remaining);
            var sql = new StringBuilder($"SELECT {Dialect.Top}{TaskColumns.Select("t.")}");
            if (joinWorkers) sql.Append(", w.last_heartbeat AS WorkerLastSeen, w.stopped_at AS WorkerStoppedAt");
            sql.Append($" FROM {TaskColumns.Table} t");
            if (joinWorkers) sql.Append(" LEFT JOIN fulldbresult_worker w ON w.worker_name = t.worker");
            var where = new List<string>(conditions);
            // The first half bounds the index range, so a later page starts at the last row of the one
            // before instead of reading and dropping every row before it.
            if (lastValue is not null)
                where.Add($"{orderColumn} {after}= @AfterValue AND ({orderColumn} {after} @AfterValue OR t.id {after} @AfterId)");
            if (where.Count > 0) sql.Append(" WHERE ").Append(string.Join(" AND ", where));
            sql.Append($" ORDER BY {orderColumn} {direction}, t.id {direction}{Dialect.Limit}");

            filter.Add("Limit", pageSize).Add("AfterValue", lastValue).Add("AfterId", lastId);
            List<TRecord> page;
            await using (var connection = await OpenAsync(cancellationToken))
            {
                page = (await connection.QueryAsync<TRecord>(Command(
                    sql.ToString(), filter.Parameters, cancellationToken: cancellationToken))).AsList();
            }
            foreach (var record in page)
            {
                Normalize(record);
                yield return record;
            }
            if (page.Count < pageSize) yield break;
            remaining -= page.Count;
            lastValue = orderValue(page[^1]);
            lastId = page[^1].Id;
        }
    }

    /// <summary>An exact name is an equality (an index seek); * and ? become a LIKE pattern.</summary>
    private static void AddNameFilter(string? name, string alias, List<string> conditions, SqlArgs filter)
    {
        if (string.IsNullOrEmpty(name)) return;
        if (name.IndexOfAny(['*', '?']) < 0)
        {
            conditions.Add($"{alias}.task_name = @Name");
            filter.Add("Name", name);
            return;
        }
        var pattern = new StringBuilder();
        foreach (var c in name)
            pattern.Append(c switch
            {
                '*' => "%",
                '?' => "_",
                '%' or '_' or '\\' or '[' => "\\" + c,
                _ => c.ToString(),
            });
        conditions.Add($"{alias}.task_name LIKE @Name ESCAPE '\\'");
        filter.Add("Name", pattern.ToString());
    }
}
