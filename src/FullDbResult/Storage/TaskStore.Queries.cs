using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;

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
        var filter = Database.Parameters();
        AddNameFilter(query.Name, "t", conditions, filter);
        if (query.Since is { } since) { conditions.Add("t.date_updated >= @Since"); filter.Add("Since", since); }
        if (query.Until is { } until) { conditions.Add("t.date_updated < @Until"); filter.Add("Until", until); }
        if (query.GroupId is { } groupId) { conditions.Add("t.group_id = @GroupId"); filter.Add("GroupId", groupId); }
        var listing = new Listing(conditions, "date_updated", Descending: true)
        {
            SeekEach = TaskStates.Normalize(query.Statuses) is { Count: > 0 } statuses
                ? filter.Each("Status", statuses).Select(status => "t.status = " + status).ToList()
                : null,
        };

        await foreach (var record in PageAsync<TaskRecord>(listing, filter, query.First, r => r.DateUpdated, cancellationToken))
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
        var terminal = TaskStates.TerminalForStale(query.TerminalStates);
        // The non-terminal statuses present, each sought on its own in the (status, date_updated) index;
        // NOT IN (terminal) would read the whole index.
        var open = (await GetStatusesAsync(cancellationToken))
            .Where(status => status != TaskStates.Scheduled && !terminal.Contains(status))
            .ToList();
        if (open.Count == 0) yield break;

        var now = Database.UtcNow;
        var filter = Database.Parameters().Add("Cutoff", now - query.OlderThan);
        var conditions = new List<string> { "t.date_updated < @Cutoff" };
        if (!query.IncludeRetried) conditions.Add("t.retried_as IS NULL");
        AddNameFilter(query.Name, "t", conditions, filter);
        var listing = new Listing(conditions, "date_updated", Descending: false, JoinWorkers: true)
        {
            SeekEach = filter.Each("Status", open).Select(status => "t.status = " + status).ToList(),
        };

        var silentSince = now - Options.HeartbeatTimeout;
        await foreach (var task in PageAsync<StaleTask>(listing, filter, query.First, r => r.DateUpdated, cancellationToken))
        {
            task.WorkerLastSeen = UtcTimes.AsUtc(task.WorkerLastSeen);
            task.WorkerStoppedAt = UtcTimes.AsUtc(task.WorkerStoppedAt);
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
        var filter = Database.Parameters().Add("Cutoff", Database.UtcNow - olderThan);
        var conditions = new List<string> { $"t.status = '{TaskStates.Scheduled}'", "t.scheduled_id IS NOT NULL", "t.claimed_at < @Cutoff" };
        await foreach (var record in PageAsync<TaskRecord>(new Listing(conditions, "claimed_at", Descending: false), filter, first,
                           r => r.ClaimedAt!.Value, cancellationToken))
            yield return record;
    }

    /// <summary>SCHEDULED rows due now and not claimed, soonest first: what the next dispatch pass would send.</summary>
    public async IAsyncEnumerable<TaskRecord> GetDueScheduledAsync(int? first = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = Database.Parameters().Add("Now", Database.UtcNow);
        var conditions = new List<string> { $"t.status = '{TaskStates.Scheduled}'", "t.scheduled_id IS NULL", "t.eta <= @Now" };
        await foreach (var record in PageAsync<TaskRecord>(new Listing(conditions, "eta", Descending: false), filter, first,
                           r => r.Eta!.Value, cancellationToken))
            yield return record;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> distinct task names that start with <paramref name="prefix"/> (case-sensitive),
    /// in order: what argument completion offers. Each name is one seek of the name index (the first name after
    /// the last one found), so this costs as little at ten million rows as at ten.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetTaskNamesAsync(string prefix, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var names = new List<string>();
        var pattern = Dialect.NamePattern(prefix.Replace("*", "").Replace("?", "") + "*");
        var sql = $"SELECT MIN(t.task_name) FROM {TaskRow.Table} t WHERE {Dialect.NameMatches("t.task_name")} AND t.task_name > @After";
        await using var connection = await Database.OpenAsync(cancellationToken);
        var after = "";
        while (names.Count < limit && await connection.ExecuteScalarAsync<string?>(Database.Command(sql,
                   Database.Parameters().Add("Name", pattern).Add("After", after).Parameters, cancellationToken: cancellationToken)) is { } next)
        {
            names.Add(next);
            after = next;
        }
        return names;
    }

    /// <summary>The distinct statuses in the task table.</summary>
    public async Task<IReadOnlyList<string>> GetStatusesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(Database.Command(Dialect.DistinctStatuses, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>
    /// What a keyset-paged listing reads: rows of the task table matching every condition, ordered by
    /// (<paramref name="OrderColumn"/>, id), with the row's worker when <paramref name="JoinWorkers"/>.
    /// </summary>
    private sealed record Listing(IReadOnlyList<string> Conditions, string OrderColumn, bool Descending, bool JoinWorkers = false)
    {
        /// <summary>
        /// When set, the listing is the union of one subquery per condition here, each ordered and limited on
        /// its own, then ordered and limited again. Each subquery is one seek of an index that starts with the
        /// condition's column and goes on with the order column; a single "column IN (...)" lets the planner
        /// walk the order column's index instead and filter, reading more the rarer the matches are. Such an
        /// index needs no id column: SQLite's indexes end with the rowid, SQL Server's with the clustered key,
        /// and PostgreSQL sorts each run of equal values as it reads them (Incremental Sort).
        /// </summary>
        public IReadOnlyList<string>? SeekEach { get; init; }
    }

    /// <summary>Runs a keyset-paged listing: each page starts after the last row of the one before.</summary>
    private async IAsyncEnumerable<TRecord> PageAsync<TRecord>(
        Listing listing, SqlParameters filter, int? first, Func<TRecord, DateTime> orderValue,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRecord : TaskRecord
    {
        if (first is < 0) throw new ArgumentOutOfRangeException(nameof(first), "The number of rows to return cannot be negative.");
        var remaining = first ?? int.MaxValue;
        DateTime? lastValue = null;
        long lastId = 0;
        while (remaining > 0)
        {
            var pageSize = Math.Min(Options.PageSize, remaining);
            filter.Add("Limit", pageSize).Add("AfterValue", lastValue).Add("AfterId", lastId);
            List<TRecord> page;
            await using (var connection = await Database.OpenAsync(cancellationToken))
            {
                page = (await connection.QueryAsync<TRecord>(Database.Command(
                    PageSql(listing, afterPreviousPage: lastValue is not null), filter.Parameters, cancellationToken: cancellationToken))).AsList();
            }
            foreach (var record in page)
            {
                TaskRow.Normalize(record);
                yield return record;
            }
            if (page.Count < pageSize) yield break;
            remaining -= page.Count;
            lastValue = orderValue(page[^1]);
            lastId = page[^1].Id;
        }
    }

    /// <summary>One page of <paramref name="listing"/>: at most @Limit rows, after (@AfterValue, @AfterId) when asked.</summary>
    private string PageSql(Listing listing, bool afterPreviousPage)
    {
        var order = listing.OrderColumn;
        var direction = listing.Descending ? "DESC" : "ASC";
        var after = listing.Descending ? "<" : ">";
        var where = new List<string>(listing.Conditions);
        // The first half bounds the index range, so a later page starts at the last row of the one
        // before instead of reading and dropping every row before it.
        if (afterPreviousPage)
            where.Add($"t.{order} {after}= @AfterValue AND (t.{order} {after} @AfterValue OR t.id {after} @AfterId)");

        var select = $"SELECT {Dialect.Top}{TaskRow.Select("t.")}";
        if (listing.JoinWorkers) select += ", w.last_heartbeat AS WorkerLastSeen, w.stopped_at AS WorkerStoppedAt";
        var workers = listing.JoinWorkers ? $" LEFT JOIN {WorkerStore.Table} w ON w.worker_name = t.worker" : "";
        if (listing.SeekEach is not { } seeks)
        {
            var whereClause = where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "";
            return $"{select} FROM {TaskRow.Table} t{workers}{whereClause} ORDER BY t.{order} {direction}, t.id {direction}{Dialect.Limit}";
        }

        // Each subquery reads only the keys; the page's rows are then read by primary key. The wrapping
        // SELECT lets SQLite take a subquery with its own ORDER BY and LIMIT in a UNION ALL.
        var subqueries = seeks.Select((seek, i) =>
            $"SELECT * FROM (SELECT {Dialect.Top}t.id, t.{order} FROM {TaskRow.Table} t WHERE {string.Join(" AND ", where.Prepend(seek))}" +
            $" ORDER BY t.{order} {direction}, t.id {direction}{Dialect.Limit}) s{i}");
        return $"{select} FROM ({string.Join(" UNION ALL ", subqueries)}) seeks JOIN {TaskRow.Table} t ON t.id = seeks.id{workers}" +
            $" ORDER BY seeks.{order} {direction}, seeks.id {direction}{Dialect.Limit}";
    }

    /// <summary>
    /// The one name rule of every database: case-sensitive; * matches any run of characters and ? one, every
    /// other character is literal. An exact name is an equality, a pattern the dialect's match; both seek the
    /// name index (a pattern on the range of its fixed prefix).
    /// </summary>
    private void AddNameFilter(string? name, string alias, List<string> conditions, SqlParameters filter)
    {
        if (string.IsNullOrEmpty(name)) return;
        var isPattern = name.IndexOfAny(['*', '?']) >= 0;
        conditions.Add(isPattern ? Dialect.NameMatches($"{alias}.task_name") : Dialect.NameEquals($"{alias}.task_name"));
        filter.Add("Name", isPattern ? Dialect.NamePattern(name) : name);
    }
}
