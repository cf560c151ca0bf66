using System.Text.RegularExpressions;
using Dapper;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

/// <summary>
/// The queries users run at scale must be index seeks. Each test runs a real store operation over 100,000
/// rows, captures the statements it ran, and reads their plans with the database's own EXPLAIN.
/// </summary>
public class QueryPlanTests : IClassFixture<QueryPlanTests.LargeStores>, IClassFixture<QueryPlanTests.RareStaleStores>
{
    private readonly LargeStores _stores;
    private readonly RareStaleStores _rareStale;

    public QueryPlanTests(LargeStores stores, RareStaleStores rareStale)
    {
        _stores = stores;
        _rareStale = rareStale;
    }

    public static TheoryData<DatabaseProvider> Databases => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    [Theory, MemberData(nameof(Databases))]
    public Task Stale_tasks_are_found_by_index(DatabaseProvider provider) =>
        AssertIndexedAsync(provider, store => store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1), First = 100 }).ToListAsync().AsTask());

    [Theory, MemberData(nameof(Databases))]
    public async Task Rare_stale_tasks_are_one_seek_of_the_status_index_per_open_status_on_every_page(DatabaseProvider provider)
    {
        // Pages of 5 rows, so that the pages after the first are planned too.
        var store = new TaskStore(_rareStale.For(provider).Connection, new TaskStoreOptions { PageSize = 5 });
        var stale = new List<StaleTask>();
        var statements = await CaptureAsync(store, async s => stale = await s.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = TimeSpan.FromHours(1) }).ToListAsync());

        Assert.Equal(Enumerable.Range(0, RareStaleStores.Stale).Reverse().Select(i => $"task-{i}"), stale.Select(t => t.TaskId));
        var pages = statements.Where(s => s.Sql != store.Dialect.DistinctStatuses).ToList();
        Assert.Equal(RareStaleStores.Stale / 5 + 1, pages.Count);
        foreach (var (sql, parameters) in pages)
            await AssertOneStatusSeekForPendingAndStartedAsync(provider, store, sql, parameters);
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task Rare_statuses_of_any_name_are_one_seek_of_the_status_index_per_status(DatabaseProvider provider)
    {
        var store = _rareStale.For(provider);
        var found = new List<TaskRecord>();
        var statements = await CaptureAsync(store, async s =>
            found = await s.QueryAsync(new TaskQuery { Statuses = [TaskStates.Pending, TaskStates.Started], First = 100 }).ToListAsync());

        Assert.Equal(RareStaleStores.Stale, found.Count);
        var (sql, parameters) = Assert.Single(statements);
        await AssertOneStatusSeekForPendingAndStartedAsync(provider, store, sql, parameters);
    }

    // Rare rows are found by seeking each status, never by walking the date index and filtering.
    private static async Task AssertOneStatusSeekForPendingAndStartedAsync(DatabaseProvider provider, TaskStore store, string sql, object? parameters)
    {
        var plan = await ExplainAsync(store, sql, parameters);
        var statusSeek = provider == DatabaseProvider.PostgreSql
            ? "(Index Scan( Backward)? using|Bitmap Index Scan on) ix_fulldbresult_task_status_updated "
            : @"SEARCH t USING (COVERING )?INDEX ix_fulldbresult_task_status_updated \(status=\?";
        Assert.True(Regex.Matches(plan, statusSeek).Count == 2, $"Not one status seek for each of PENDING and STARTED in:\n{sql}\n\nPlan:\n{plan}");
        Assert.DoesNotContain("ix_fulldbresult_task_updated", plan);
        AssertNoTableScan(provider, sql, plan);
    }

    [Theory, MemberData(nameof(Databases))]
    public Task The_first_page_of_failures_of_one_task_name_is_found_by_index(DatabaseProvider provider) =>
        AssertIndexedAsync(provider, store => store.QueryAsync(new TaskQuery { Name = "task.7", Statuses = [TaskStates.Failure], First = 100 }).ToListAsync().AsTask());

    [Theory, MemberData(nameof(Databases))]
    public async Task A_rare_name_pattern_seeks_the_range_of_its_fixed_prefix_in_the_name_index(DatabaseProvider provider)
    {
        var store = _stores.For(provider);
        var statements = await CaptureAsync(store, s => s.QueryAsync(new TaskQuery { Name = "task.7x*", First = 100 }).ToListAsync().AsTask());

        var (sql, parameters) = Assert.Single(statements);
        var plan = await ExplainAsync(store, sql, parameters);
        var prefixRange = provider == DatabaseProvider.PostgreSql
            ? @"Index Scan using ix_fulldbresult_task_name_\w+ .*\n.*Index Cond: .*task_name\)::text >= 'task\.7x'::text\) AND \(\(task_name\)::text < 'task\.7y'::text\)"
            : @"SEARCH t USING (COVERING )?INDEX ix_fulldbresult_task_name_\w+ \(task_name>\? AND task_name<\?\)";
        Assert.True(Regex.IsMatch(plan, prefixRange), $"No seek of the prefix's range in:\n{sql}\n\nPlan:\n{plan}");
        AssertNoTableScan(provider, sql, plan);
    }

    [Theory, MemberData(nameof(Databases))]
    public Task The_first_page_of_all_tasks_is_read_in_index_order(DatabaseProvider provider) =>
        AssertIndexedAsync(provider, store => store.QueryAsync(new TaskQuery { First = 100 }).ToListAsync().AsTask());

    [Theory, MemberData(nameof(Databases))]
    public async Task A_later_page_seeks_from_the_last_row_of_the_page_before(DatabaseProvider provider)
    {
        var store = new TaskStore(_stores.For(provider).Connection, new TaskStoreOptions { PageSize = 100 });
        var statements = await CaptureAsync(store, s => s.QueryAsync(new TaskQuery { First = 200 }).ToListAsync().AsTask());

        var (sql, parameters) = Assert.Single(statements, s => s.Sql.Contains("@AfterValue"));
        Assert.Matches(provider == DatabaseProvider.PostgreSql
            ? @"Index Cond: \(date_updated <= "
            : @"SEARCH t USING (COVERING )?INDEX ix_fulldbresult_task_updated \(date_updated<\?\)", await ExplainAsync(store, sql, parameters));
    }

    [Theory, MemberData(nameof(Databases))]
    public Task The_dispatchers_due_rows_are_found_by_index(DatabaseProvider provider) =>
        AssertIndexedAsync(provider, async store =>
        {
            await store.GetDueScheduledAsync(100).ToListAsync();
            await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(10), 100).ToListAsync();
        });

    [Theory, MemberData(nameof(Databases))]
    public Task A_task_is_read_by_id_through_the_unique_index(DatabaseProvider provider) =>
        AssertIndexedAsync(provider, store => store.GetAsync("task-77777"));

    [Theory, MemberData(nameof(Databases))]
    public async Task Claims_purges_and_purge_counts_are_planned_on_indexes(DatabaseProvider provider)
    {
        var store = _stores.For(provider);
        var statements = new List<(string Sql, object? Parameters)>
        {
            (store.Dialect.ClaimDueScheduled, new SqlParameters(store.Dialect).Add("ClaimId", "plan").Add("Now", DateTime.UtcNow).Add("Limit", 100).Parameters),
        };
        var purge = new SqlParameters(store.Dialect).Add("Cutoff", DateTime.UtcNow.AddDays(-30)).Add("Limit", 1000);
        statements.Add((store.Dialect.DeleteBatch("status IN " + purge.In("State", TaskStates.DefaultTerminal) + " AND date_updated < @Cutoff", "date_updated"), purge.Parameters));

        statements.AddRange(await CaptureAsync(store, s => s.CountPurgeableAsync(new PurgeRequest())));

        foreach (var (sql, parameters) in statements)
            AssertNoTableScan(provider, sql, await ExplainAsync(store, sql, parameters));
    }

    private async Task AssertIndexedAsync(DatabaseProvider provider, Func<TaskStore, Task> operation)
    {
        var store = _stores.For(provider);
        var statements = await CaptureAsync(store, operation);
        Assert.NotEmpty(statements);
        statements.AddRange(await CaptureAsync(store, s => s.CountPurgeableAsync(new PurgeRequest())));

        foreach (var (sql, parameters) in statements)
            AssertNoTableScan(provider, sql, await ExplainAsync(store, sql, parameters));
    }

    /// <summary>The statements <paramref name="operation"/> ran, each with the values it ran with.</summary>
    private static async Task<List<(string Sql, object? Parameters)>> CaptureAsync(TaskStore store, Func<TaskStore, Task> operation)
    {
        var statements = new List<(string Sql, object? Parameters)>();
        store.Database.StatementObserver = (sql, parameters) => statements.Add((sql, parameters));
        try
        {
            await operation(store);
        }
        finally
        {
            store.Database.StatementObserver = null;
        }
        return statements;
    }

    private static async Task<string> ExplainAsync(TaskStore store, string sql, object? parameters)
    {
        await using var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
        if (store.Dialect.Provider == DatabaseProvider.PostgreSql)
            return string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + sql, parameters));
        var rows = await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, parameters);
        return string.Join("\n", rows.Select(row => (string)row.detail));
    }

    private static void AssertNoTableScan(DatabaseProvider provider, string sql, string plan)
    {
        var scans = plan.Split('\n').Where(line => provider == DatabaseProvider.PostgreSql
            ? line.Contains("Seq Scan on fulldbresult_task")
            : Regex.IsMatch(line.Trim(), @"^SCAN (fulldbresult_task|t)$"));
        Assert.True(!scans.Any(), $"A scan of the task table in:\n{sql}\n\nPlan:\n{plan}");
    }

    /// <summary>An SQLite file and a PostgreSQL database with 100,000 tasks of 50 names, many states and 60 days.</summary>
    public sealed class LargeStores() : PlanStores(Row)
    {
        // Mostly finished work, as in a real result table; a few open, scheduled and claimed rows.
        private static TaskRecord Row(int i, DateTime now) => Record(i, now, (i % 100) switch
        {
            < 80 => TaskStates.Success,
            < 92 => TaskStates.Failure,
            < 94 => TaskStates.Revoked,
            < 95 => TaskStates.Pending,
            < 96 => TaskStates.Started,
            < 97 => TaskStates.Retry,
            < 99 => TaskStates.ScheduledSent,
            _ => TaskStates.Scheduled,
        }, now.AddMinutes(-(i * 7919L % (60 * 24 * 60))));
    }

    /// <summary>
    /// 100,000 tasks over 60 days of which 20 are stale, 10 PENDING and 10 STARTED, one every three days:
    /// a walk of the date index reads thousands of finished tasks between two stale ones.
    /// </summary>
    public sealed class RareStaleStores() : PlanStores(Row)
    {
        public const int Stale = 20;

        private static TaskRecord Row(int i, DateTime now) => i < Stale
            ? Record(i, now, i % 2 == 0 ? TaskStates.Pending : TaskStates.Started, now.AddHours(-2).AddDays(-3 * i))
            : Record(i, now, i % 100 == 0 ? TaskStates.Failure : TaskStates.Success, now.AddMinutes(-(i * 7919L % (60 * 24 * 60))));
    }

    /// <summary>An SQLite file and a PostgreSQL database, each filled with the same 100,000 rows and analyzed.</summary>
    public abstract class PlanStores
    {
        private const int Rows = 100_000;
        private readonly TaskStore _sqlite;
        private readonly TaskStore _postgres;

        protected PlanStores(Func<int, DateTime, TaskRecord> row)
        {
            _sqlite = TestStores.NewStore(DatabaseProvider.Sqlite);
            _postgres = TestStores.NewStore(DatabaseProvider.PostgreSql);
            Task.WaitAll(Fill(_sqlite, row), Fill(_postgres, row));
        }

        public TaskStore For(DatabaseProvider provider) => provider == DatabaseProvider.Sqlite ? _sqlite : _postgres;

        /// <summary>Task <paramref name="i"/> of <paramref name="status"/>, last changed at <paramref name="updated"/>.</summary>
        protected static TaskRecord Record(int i, DateTime now, string status, DateTime updated) => new()
        {
            TaskId = $"task-{i}",
            TaskName = $"task.{i % 50}",
            Status = status,
            Args = "[1, 2]",
            Kwargs = "{}",
            DateSubmitted = updated,
            DateDone = status is TaskStates.Success or TaskStates.Failure ? updated : null,
            Eta = status == TaskStates.Scheduled ? now.AddDays(i % 3 - 1) : null,
            ScheduledId = status == TaskStates.Scheduled && i % 2 == 0 ? "claim" : null,
            ClaimedAt = status == TaskStates.Scheduled && i % 2 == 0 ? updated : null,
        };

        private static async Task Fill(TaskStore store, Func<int, DateTime, TaskRecord> row)
        {
            await store.MigrateAsync();
            var now = DateTime.UtcNow;
            await store.InsertManyAsync(Enumerable.Range(0, Rows).Select(i => row(i, now)).ToList());
            // The store stamps date_updated at insert; spread it over the days the rows claim to span.
            await using var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
            await connection.ExecuteAsync("UPDATE fulldbresult_task SET date_updated = date_submitted");
            // PostgreSQL as autovacuum leaves a table in use: the visibility map set, so counts can read the index alone.
            await connection.ExecuteAsync(store.Dialect.Provider == DatabaseProvider.PostgreSql ? "VACUUM ANALYZE fulldbresult_task" : "ANALYZE fulldbresult_task");
        }
    }
}
