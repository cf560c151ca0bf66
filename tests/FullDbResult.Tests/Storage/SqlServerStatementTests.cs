using System.Data;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Workflows;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Xunit;

namespace FullDbResult.Tests.Storage;

/// <summary>
/// SQL Server cannot run here, so every statement the store sends it is parsed by Microsoft's own T-SQL
/// parser. The statements are recorded from real store operations, not listed by hand, so a new
/// statement is checked as soon as an operation uses it.
/// </summary>
public class SqlServerStatementTests
{
    [Fact]
    public async Task Every_statement_the_store_sends_to_sql_server_parses_as_t_sql()
    {
        var statements = new List<string>();
        var store = new TaskStore(new StoreConnection("Server=recording;Database=tasks;User ID=sa;Password=x", DatabaseProvider.SqlServer));
        // Open statuses in the table make the stale query build its full SQL.
        store.Database.ConnectionFactory = _ => new RecordingConnection(statements)
        {
            Answer = sql => sql == store.Dialect.DistinctStatuses ? Statuses(TaskStates.Pending, TaskStates.Started, TaskStates.Success)
                : sql.Contains($"FROM {ChordStore.Table} WHERE", StringComparison.Ordinal) ? LastChordPart()
                : null,
        };

        await ExerciseEveryOperationAsync(store);

        Assert.True(statements.Count >= 30, $"Only {statements.Count} statements were recorded.");
        var failures = statements.Distinct().Select(sql => (Sql: sql, Errors: Parse(sql))).Where(s => s.Errors.Count > 0).ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f =>
            $"{string.Join("; ", f.Errors.Select(e => $"line {e.Line}: {e.Message}"))}\n{f.Sql}")));
    }

    [Fact]
    public async Task Name_filters_on_sql_server_seek_in_the_column_collation_and_keep_only_names_of_the_same_case()
    {
        var statements = new List<string>();
        var store = new TaskStore(new StoreConnection("Server=recording;Database=tasks;User ID=sa;Password=x", DatabaseProvider.SqlServer));
        store.Database.ConnectionFactory = _ => new RecordingConnection(statements);

        await store.QueryAsync(new TaskQuery { Name = "Email.*" }).ToListAsync();
        await store.QueryAsync(new TaskQuery { Name = "email.send" }).ToListAsync();

        Assert.Contains(statements, sql => sql.Contains(
            @"(t.task_name LIKE @Name ESCAPE '\' AND t.task_name COLLATE Latin1_General_100_BIN2 LIKE @Name ESCAPE '\')"));
        Assert.Contains(statements, sql => sql.Contains("(t.task_name = @Name AND t.task_name COLLATE Latin1_General_100_BIN2 = @Name)"));
        Assert.All(statements, sql => Assert.Empty(Parse(sql)));
    }

    [Fact]
    public void The_parser_check_rejects_what_sql_server_would_reject()
    {
        Assert.NotEmpty(Parse("SELECT * FROM t LIMIT 10"));
        Assert.NotEmpty(Parse("INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO NOTHING"));
        Assert.Empty(Parse("SELECT TOP (@Limit) a FROM t WITH (READPAST) ORDER BY a"));
    }

    /// <summary>Runs each store operation once, with the arguments that make it build its full SQL.</summary>
    internal static async Task ExerciseEveryOperationAsync(TaskStore store)
    {
        await store.MigrateAsync();
        await store.GetSchemaVersionAsync();
        await store.InsertAsync(Tasks.Pending("a"));
        await store.InsertManyAsync(Enumerable.Range(0, 200).Select(i => Tasks.Pending($"b{i}")).ToList());
        await new FullDbResult.Events.CeleryEventRecorder(store).RecordAsync(
            FullDbResult.Tests.Events.CapturedEvents.All.Select(m => m.ToEventMessage()).ToList());
        await store.GetAsync("a");
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "a", Status = TaskStates.Started, TaskName = "x", Args = "[]" });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "a", Status = TaskStates.Success, Result = "1" });
        await store.ApplyStateChangesAsync([
            new TaskStateChange { TaskId = "c", Status = TaskStates.Started, TaskName = "x" },
            new TaskStateChange { TaskId = "a", Status = TaskStates.Failure, Result = "{}" }]);
        await store.NotePublishErrorAsync(["a", "b0"], "{\"publish_error\": \"nacked\"}");
        await new WorkerStore(store).RecordHeartbeatAsync(new WorkerHeartbeat { WorkerName = "w", Hostname = "h", Queues = "celery" });
        await new WorkerStore(store).GetWorkersAsync();
        await store.QueryAsync(new TaskQuery { Name = "e*", Statuses = [TaskStates.Failure], Since = DateTime.UtcNow, Until = DateTime.UtcNow }).ToListAsync();
        await store.QueryAsync(new TaskQuery { Name = "exact" }).ToListAsync();
        await store.QueryAsync(new TaskQuery { Queue = "q", Worker = "w", GroupId = "g", RootId = "r", ParentId = "p", OldestFirst = true, After = new TaskCursor(DateTime.UtcNow, 5) }).ToListAsync();
        await store.CountByStatusAsync(DateTime.UtcNow);
        await store.GetActivityAsync(TaskStates.Success, DateTime.UtcNow);
        await store.CountByWorkerAsync(TaskStates.Started);
        await store.GetStatusesAsync();
        await store.GetStaleTasksAsync(new StaleTaskQuery { Name = "e*", First = 10 }).ToListAsync();
        await store.GetStaleScheduledAsync(TimeSpan.FromMinutes(5)).ToListAsync();
        await store.GetDueScheduledAsync().ToListAsync();
        await store.ClaimRetryAsync("a", Tasks.Pending("a2"));
        await store.ClaimDueScheduledAsync(10, "claim");
        await store.MarkScheduledSentAsync("claim", [new TaskRecord { TaskId = "n1", TaskName = "x", RetriedFrom = "s1" }]);
        await store.MarkScheduledDispatchedAsync("claim", [new TaskRecord { TaskId = "s1", TaskName = "x" }]);
        await store.ReleaseScheduledClaimAsync("s1", "claim");
        await store.GetTaskNamesAsync("e", 10);
        await store.CountPurgeableAsync(new PurgeRequest());
        await store.CancelScheduledAsync("s1");
        await store.PurgeAsync(new PurgeRequest { BatchSize = 5 });
        await store.RepairResultsAsync();
        var chords = new ChordStore(store);
        await chords.CreateAsync("g", 2, """{"task": "x"}""", "body", CancellationToken.None);
        await chords.CountAsync("g", 0, "m0", "1", DateTimeOffset.UtcNow, CancellationToken.None);
        await chords.FailAsync("g", 1, "m1", DateTimeOffset.UtcNow, CancellationToken.None);
    }

    /// <summary>A chord counter read back at zero, so that a part goes on to fire the callback.</summary>
    private static DataTable LastChordPart()
    {
        var table = new DataTable();
        table.Columns.Add("Remaining", typeof(long));
        table.Columns.Add("Body", typeof(string));
        table.Columns.Add("BodyId", typeof(string));
        table.Rows.Add(0L, """{"task": "x", "args": [], "kwargs": {}, "options": {}}""", "body");
        return table;
    }

    private static DataTable Statuses(params string[] statuses)
    {
        var table = new DataTable();
        table.Columns.Add("status", typeof(string));
        foreach (var status in statuses) table.Rows.Add(status);
        return table;
    }

    private static IList<ParseError> Parse(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors;
    }
}
