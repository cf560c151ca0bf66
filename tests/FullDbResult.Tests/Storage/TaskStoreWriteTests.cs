using FullDbResult.Storage;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class TaskStoreWriteTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task A_pending_task_reads_back_with_every_field_in_utc(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        var eta = new DateTime(2030, 1, 2, 3, 4, 5, 678_901 / 1000, DateTimeKind.Utc).AddTicks(9010);
        var record = Tasks.Pending(args: "[12345678901234567890, 1.5, \"ü\"]", kwargs: "{\"b\": {\"nested\": [true, null]}, \"a\": 1}");
        record.Priority = 5;
        record.Eta = eta;
        record.Expires = eta.AddHours(1);
        record.RootId = "root";
        record.ParentId = "parent";
        record.GroupId = "group";
        record.Meta = "{\"children\": []}";
        record.Retries = 2;

        await store.InsertAsync(record);
        var read = await store.GetAsync(record.TaskId);

        Assert.NotNull(read);
        Assert.Equal(record.TaskName, read.TaskName);
        Assert.Equal(TaskStates.Pending, read.Status);
        Assert.Equal(record.Args, read.Args);
        Assert.Equal(record.Kwargs, read.Kwargs);
        Assert.Equal("", read.Exchange ?? "");
        Assert.Equal("celery", read.RoutingKey);
        Assert.Equal(5, read.Priority);
        Assert.Equal(eta, read.Eta);
        Assert.Equal(DateTimeKind.Utc, read.Eta!.Value.Kind);
        Assert.Equal(eta.AddHours(1), read.Expires);
        Assert.Equal(clock.UtcNow, read.DateSubmitted);
        Assert.Equal(clock.UtcNow, read.DateUpdated);
        Assert.Equal(("root", "parent", "group"), (read.RootId, read.ParentId, read.GroupId));
        Assert.Equal(2, read.Retries);
        Assert.Equal(record.Meta, read.Meta);
        Assert.True(read.Id > 0);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Inserting_an_id_that_is_stored_fails_and_names_the_id(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var record = Tasks.Pending("dup-1");
        await store.InsertAsync(record);

        var error = await Assert.ThrowsAsync<DuplicateTaskException>(() => store.InsertAsync(Tasks.Pending("dup-1")));
        Assert.Contains("dup-1", error.Message);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Bad_records_are_refused_with_a_message_that_names_the_problem_and_nothing_is_written(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var cases = new (TaskRecord Record, string Expected)[]
        {
            (Tasks.Pending(new string('x', 256)), "256 characters"),
            (Tasks.Pending("t-empty-name", name: " "), "name is empty"),
            (Tasks.Pending("t-args", args: "{\"a\": 1}"), "args is a JSON object; expected a JSON array"),
            (Tasks.Pending("t-kwargs", kwargs: "[1]"), "kwargs is a JSON array; expected a JSON object"),
            (Tasks.Pending("t-json", args: "[1,"), "args is not valid JSON"),
            (new TaskRecord { TaskId = "t-sched", TaskName = "x", Status = TaskStates.Scheduled }, "SCHEDULED but has no eta"),
        };
        foreach (var (record, expected) in cases)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => store.InsertAsync(record));
            Assert.Contains(expected, error.Message);
        }
        Assert.Empty(await store.QueryAsync(new TaskQuery()).ToListAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_batch_insert_writes_every_row(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var batch = Enumerable.Range(0, 2500).Select(i => Tasks.Pending($"batch-{i}", name: $"batch.task{i % 7}")).ToList();

        await store.InsertManyAsync(batch);

        var stored = await store.QueryAsync(new TaskQuery()).ToListAsync();
        Assert.Equal(2500, stored.Count);
        Assert.Equal(batch.Select(r => r.TaskId).Order(), stored.Select(r => r.TaskId).Order());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_failed_batch_insert_leaves_no_partial_rows(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("already-there"));
        // The clash sits in the last of several statements, after earlier rows were inserted.
        var batch = Enumerable.Range(0, 1500).Select(i => Tasks.Pending($"row-{i}")).Append(Tasks.Pending("already-there")).ToList();

        var error = await Assert.ThrowsAsync<TaskStoreException>(() => store.InsertManyAsync(batch));

        Assert.Contains("nothing was written", error.Message);
        var stored = await store.QueryAsync(new TaskQuery()).ToListAsync();
        Assert.Equal(["already-there"], stored.Select(r => r.TaskId));
    }

    [Theory]
    [InlineData(DatabaseProvider.PostgreSql, 10_000, true)]
    [InlineData(DatabaseProvider.Sqlite, 1, true)]
    [InlineData(DatabaseProvider.Sqlite, 2, false)]
    public void A_batch_insert_needs_a_transaction_only_when_it_takes_several_statements(DatabaseProvider provider, int rows, bool oneStatement) =>
        Assert.Equal(oneStatement, FullDbResult.Storage.Dialects.SqlDialect.For(provider).InsertsInOneStatement(rows));

    [Fact]
    public void A_sql_server_batch_insert_is_one_statement_while_its_rows_fit_in_2100_parameters()
    {
        var rowsThatFit = 2100 / TaskRow.Columns.Length;
        var dialect = FullDbResult.Storage.Dialects.SqlDialect.For(DatabaseProvider.SqlServer);
        Assert.Equal((true, false), (dialect.InsertsInOneStatement(rowsThatFit), dialect.InsertsInOneStatement(rowsThatFit + 1)));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_batch_with_one_bad_record_writes_nothing(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var batch = new[] { Tasks.Pending("good-1"), Tasks.Pending("bad", args: "not json"), Tasks.Pending("good-2") };

        await Assert.ThrowsAsync<ArgumentException>(() => store.InsertManyAsync(batch));

        Assert.Empty(await store.QueryAsync(new TaskQuery()).ToListAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_late_started_report_never_overwrites_success(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        var record = Tasks.Pending("prec-1");
        await store.InsertAsync(record);

        Assert.True(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-1", Status = TaskStates.Started, Worker = "w1", DateStarted = clock.UtcNow }));
        Assert.True(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-1", Status = TaskStates.Success, Result = "42", DateDone = clock.UtcNow }));
        Assert.False(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-1", Status = TaskStates.Started, Worker = "w2" }));
        Assert.False(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-1", Status = TaskStates.Failure, Result = "{}" }));

        var read = await store.GetAsync("prec-1");
        Assert.Equal(TaskStates.Success, read!.Status);
        Assert.Equal("42", read.Result);
        Assert.Equal("w1", read.Worker);
        Assert.Equal(record.Args, read.Args);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Success_replaces_a_failure_and_clears_the_earlier_traceback(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("prec-2"));
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-2", Status = TaskStates.Retry, Result = "{\"exc_type\": \"IOError\"}", Traceback = "tb", Retries = 1 });
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-2", Status = TaskStates.Started });
        Assert.Equal("tb", (await store.GetAsync("prec-2"))!.Traceback);

        Assert.True(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "prec-2", Status = TaskStates.Success, Result = "\"ok\"" }));

        var read = await store.GetAsync("prec-2");
        Assert.Equal((TaskStates.Success, "\"ok\"", (string?)null, 1), (read!.Status, read.Result, read.Traceback, read.Retries));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_state_change_for_an_unknown_task_creates_its_row_with_the_full_arguments(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);

        await store.ApplyStateChangeAsync(new TaskStateChange
        {
            TaskId = "from-python",
            Status = TaskStates.Received,
            TaskName = "proj.add",
            Args = "[2, 3]",
            Kwargs = "{\"z\": 1}",
            RoutingKey = "celery",
            Worker = "w1",
        });

        var read = await store.GetAsync("from-python");
        Assert.Equal(("proj.add", TaskStates.Received, "[2, 3]", "{\"z\": 1}", "w1"), (read!.TaskName, read.Status, read.Args, read.Kwargs, read.Worker));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_state_change_without_a_name_for_an_unknown_task_writes_nothing(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);

        Assert.False(await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "nobody", Status = TaskStates.Revoked }));

        Assert.Null(await store.GetAsync("nobody"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_batch_of_state_changes_applies_in_order_and_answers_for_each_change(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("batch-done"));
        await store.ApplyStateChangeAsync(new TaskStateChange { TaskId = "batch-done", Status = TaskStates.Success, Result = "1" });
        await store.InsertAsync(Tasks.Pending("batch-open"));

        var applied = await store.ApplyStateChangesAsync([
            new TaskStateChange { TaskId = "batch-open", Status = TaskStates.Started, Worker = "w1" },
            new TaskStateChange { TaskId = "batch-done", Status = TaskStates.Started, Worker = "w1" },
            new TaskStateChange { TaskId = "batch-new", Status = TaskStates.Started, TaskName = "proj.add", Args = "[1, 2]" },
            new TaskStateChange { TaskId = "batch-open", Status = TaskStates.Success, Result = "\"ok\"" },
            new TaskStateChange { TaskId = "batch-nameless", Status = TaskStates.Failure, Result = "{}" },
        ]);

        Assert.Equal([true, false, true, true, false], applied);
        Assert.Equal((TaskStates.Success, "\"ok\"", "w1"), await StatusResultWorker(store, "batch-open"));
        Assert.Equal((TaskStates.Success, "1", (string?)null), await StatusResultWorker(store, "batch-done"));
        Assert.Equal((TaskStates.Started, (string?)null, (string?)null), await StatusResultWorker(store, "batch-new"));
        Assert.Null(await store.GetAsync("batch-nameless"));
        Assert.Empty(await store.ApplyStateChangesAsync([]));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_batch_of_state_changes_that_fails_in_the_database_writes_none_of_them(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.InsertAsync(Tasks.Pending("atomic-1"));
        if (provider == DatabaseProvider.Sqlite) await RefuseLongQueuesAsync(store);

        // Valid to the store's checks, refused by the database: the queue column holds 255 characters.
        await Assert.ThrowsAnyAsync<Exception>(() => store.ApplyStateChangesAsync([
            new TaskStateChange { TaskId = "atomic-1", Status = TaskStates.Success, Result = "1" },
            new TaskStateChange { TaskId = "atomic-2", Status = TaskStates.Started, TaskName = "x", Queue = new string('q', 300) },
        ]));

        Assert.Equal(TaskStates.Pending, (await store.GetAsync("atomic-1"))!.Status);
        Assert.Null(await store.GetAsync("atomic-2"));
    }

    // SQLite does not enforce varchar lengths; a trigger refuses what the other databases refuse.
    private static async Task RefuseLongQueuesAsync(TaskStore store)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(store.Connection.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TRIGGER refuse_long_queue BEFORE INSERT ON fulldbresult_task WHEN length(NEW.queue) > 255
            BEGIN SELECT RAISE(ABORT, 'queue too long'); END
            """;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(string, string?, string?)> StatusResultWorker(TaskStore store, string taskId)
    {
        var read = await store.GetAsync(taskId);
        return (read!.Status, read.Result, read.Worker);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Heartbeats_are_upserted_per_worker(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock });
        var heartbeat = new WorkerHeartbeat { WorkerName = "w1@host", Hostname = "host", Pid = 42, Queues = "celery,other", StartedAt = clock.UtcNow, LastHeartbeat = clock.UtcNow };
        await new WorkerStore(store).RecordHeartbeatAsync(heartbeat);
        heartbeat.LastHeartbeat = clock.UtcNow.AddSeconds(5);
        await new WorkerStore(store).RecordHeartbeatAsync(heartbeat);

        var worker = Assert.Single(await new WorkerStore(store).GetWorkersAsync());
        Assert.Equal(("w1@host", 42, "celery,other", clock.UtcNow.AddSeconds(5)), (worker.WorkerName, worker.Pid, worker.Queues, worker.LastHeartbeat));
    }
}
