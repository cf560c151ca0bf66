using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tests.Storage;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Xunit;

namespace FullDbResult.Tests.Scheduling;

public class PeriodicTaskStoreTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    public static PeriodicTask Every(string name, long seconds, string taskName = "reports.refresh") => new()
    {
        Name = name,
        TaskName = taskName,
        Args = "[1, \"two\"]",
        Kwargs = "{\"full\": true}",
        RoutingKey = "reports",
        IntervalSeconds = seconds,
    };

    public static PeriodicTask Cron(string name, string expression, string? timeZone = null) => new()
    {
        Name = name,
        TaskName = "reports.daily",
        CronExpression = expression,
        TimeZone = timeZone,
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task An_added_periodic_task_is_stored_enabled_with_its_definition_and_no_runs(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var store = new PeriodicTaskStore(TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock }));
        var definition = Cron("nightly", "30 2 * * *", "Europe/Berlin");
        (definition.Args, definition.Exchange, definition.Queue, definition.Priority, definition.Description) = ("[42]", "ex", "q", 5, "The nightly report");

        var added = await store.AddAsync(definition);

        var read = await store.GetAsync("nightly");
        foreach (var task in new[] { added, read! })
        {
            Assert.Equal(("nightly", "reports.daily", "[42]", "{}", "ex", "q", 5), (task.Name, task.TaskName, task.Args, task.Kwargs, task.Exchange, task.Queue, task.Priority));
            Assert.Equal(("30 2 * * *", "Europe/Berlin", (long?)null, true), (task.CronExpression, task.TimeZone, task.IntervalSeconds, task.Enabled));
            Assert.Equal((null, 0L, null, "The nightly report", clock.UtcNow), (task.LastRunAt, task.RunCount, task.LastTaskId, task.Description, task.DateChanged));
        }
        Assert.True(added.Id > 0);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_second_periodic_task_with_the_same_name_is_refused_by_name_and_the_first_is_unchanged(DatabaseProvider provider)
    {
        var store = new PeriodicTaskStore(TestStores.NewStore(provider));
        await store.AddAsync(Every("refresh", 60));

        var error = await Assert.ThrowsAsync<DuplicatePeriodicTaskException>(() => store.AddAsync(Every("refresh", 5, "other.task")));

        Assert.Equal("A periodic task named 'refresh' already exists.", error.Message);
        var kept = Assert.Single(await store.ListAsync());
        Assert.Equal(("reports.refresh", 60L), (kept.TaskName, kept.IntervalSeconds));
    }

    public static IEnumerable<object[]> BadDefinitions()
    {
        PeriodicTask With(Action<PeriodicTask> change)
        {
            var task = Every("bad", 60);
            change(task);
            return task;
        }
        yield return [With(t => (t.IntervalSeconds, t.CronExpression) = (null, "61 * * * *")), "'61 * * * *' is not a valid cron expression"];
        yield return [With(t => (t.IntervalSeconds, t.CronExpression) = (null, "every day")), "'every day' is not a valid cron expression"];
        yield return [With(t => (t.IntervalSeconds, t.CronExpression, t.TimeZone) = (null, "0 * * * *", "Mars/Olympus_Mons")), "'Mars/Olympus_Mons' is not a known time zone"];
        yield return [With(t => t.IntervalSeconds = 0), "the interval must be at least one second"];
        yield return [With(t => t.IntervalSeconds = -5), "the interval must be at least one second"];
        yield return [With(t => t.IntervalSeconds = null), "needs either a cron expression or an interval, not neither"];
        yield return [With(t => t.CronExpression = "0 * * * *"), "needs either a cron expression or an interval, not both"];
        yield return [With(t => t.TimeZone = "UTC"), "a time zone applies only to a cron expression"];
        yield return [With(t => t.Args = "{\"a\": 1}"), "args is a JSON object; expected a JSON array"];
        yield return [With(t => t.Args = "[1,"), "args is not valid JSON"];
        yield return [With(t => t.Kwargs = "[]"), "kwargs is a JSON array; expected a JSON object"];
        yield return [With(t => t.TaskName = " "), "The task name is empty"];
        yield return [With(t => t.Name = ""), "The periodic task's name is empty"];
        yield return [With(t => t.Priority = 300), "the priority must be 0 to 255"];
    }

    [Theory, MemberData(nameof(BadDefinitions))]
    public async Task An_invalid_definition_is_refused_with_a_message_naming_the_problem_and_nothing_is_written(PeriodicTask bad, string problem)
    {
        var store = new PeriodicTaskStore(TestStores.NewStore(DatabaseProvider.Sqlite));
        await store.AddAsync(Every("good", 60));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.AddAsync(bad));

        Assert.Contains(problem, error.Message);
        var kept = Assert.Single(await store.ListAsync());
        Assert.Equal(("good", "reports.refresh", 60L, "[1, \"two\"]"), (kept.Name, kept.TaskName, kept.IntervalSeconds, kept.Args));
    }

    [Fact]
    public async Task A_change_to_an_invalid_definition_is_refused_and_the_stored_one_kept()
    {
        var store = new PeriodicTaskStore(TestStores.NewStore(DatabaseProvider.Sqlite));
        await store.AddAsync(Every("good", 60));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ChangeAsync(Cron("good", "0 25 * * *")));

        Assert.Contains("'0 25 * * *' is not a valid cron expression", error.Message);
        Assert.Equal(60L, (await store.GetAsync("good"))!.IntervalSeconds);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Changing_a_periodic_task_replaces_its_definition_and_keeps_its_run_history(DatabaseProvider provider)
    {
        var clock = new ManualClock();
        var tasks = new PeriodicTaskStore(TestStores.NewStore(provider, new TaskStoreOptions { Clock = clock }));
        await tasks.AddAsync(Every("refresh", 60));
        var taskId = await new PeriodicScheduler(tasks, new RecordingPublisher()).TriggerNowAsync("refresh");
        clock.Advance(TimeSpan.FromMinutes(1));

        var changed = Cron("refresh", "0 6 * * 1-5", "America/New_York");
        Assert.True(await tasks.ChangeAsync(changed));
        Assert.False(await tasks.ChangeAsync(Cron("missing", "0 6 * * *")));

        var read = (await tasks.GetAsync("refresh"))!;
        Assert.Equal(("reports.daily", "0 6 * * 1-5", "America/New_York", (long?)null, "[]"), (read.TaskName, read.CronExpression, read.TimeZone, read.IntervalSeconds, read.Args));
        Assert.Equal((1L, taskId, clock.UtcNow), (read.RunCount, read.LastTaskId, read.DateChanged));
        Assert.Null(await tasks.GetAsync("missing"));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Periodic_tasks_can_be_disabled_enabled_listed_and_removed_by_name(DatabaseProvider provider)
    {
        var tasks = new PeriodicTaskStore(TestStores.NewStore(provider));
        await tasks.AddAsync(Every("b-second", 60));
        await tasks.AddAsync(Every("a-first", 60));

        Assert.True(await tasks.DisableAsync("b-second"));
        Assert.False(await tasks.DisableAsync("missing"));
        Assert.Equal(["a-first", "b-second"], (await tasks.ListAsync()).Select(t => t.Name));
        Assert.Equal(["a-first"], (await tasks.ListAsync(enabledOnly: true)).Select(t => t.Name));
        Assert.True(await tasks.EnableAsync("b-second"));
        Assert.Equal(2, (await tasks.ListAsync(enabledOnly: true)).Count);

        Assert.True(await tasks.RemoveAsync("a-first"));
        Assert.False(await tasks.RemoveAsync("a-first"));
        Assert.Equal(["b-second"], (await tasks.ListAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task Every_statement_the_periodic_store_and_scheduler_send_to_sql_server_parses_as_t_sql()
    {
        var statements = new List<string>();
        var store = new TaskStore(new StoreConnection("Server=recording;Database=tasks;User ID=sa;Password=x", DatabaseProvider.SqlServer));
        store.Database.ConnectionFactory = _ => new RecordingConnection(statements);
        var tasks = new PeriodicTaskStore(store);
        var scheduler = new PeriodicScheduler(tasks, new RecordingPublisher());

        await store.MigrateAsync();
        statements.Clear();
        await tasks.AddAsync(Every("a", 60));
        await tasks.ChangeAsync(Cron("a", "0 * * * *"));
        await tasks.EnableAsync("a");
        await tasks.ListAsync(enabledOnly: true);
        await tasks.ListAsync();
        await tasks.RemoveAsync("a");
        var read = new PeriodicTask { Id = 1, Name = "a", TaskName = "t", IntervalSeconds = 1 };
        await tasks.ClaimRunAsync(read, DateTime.UtcNow, new() { TaskId = "n1", TaskName = "t" }, default);
        read.LastRunAt = DateTime.UtcNow;
        await tasks.ClaimRunAsync(read, DateTime.UtcNow, new() { TaskId = "n2", TaskName = "t" }, default);
        await tasks.RecordManualRunAsync("a", new() { TaskId = "n3", TaskName = "t" }, default);
        await scheduler.RunOnceAsync();

        Assert.True(statements.Count >= 10, $"Only {statements.Count} statements were recorded.");
        var failures = statements.Distinct().Select(sql => (Sql: sql, Errors: Parse(sql))).Where(s => s.Errors.Count > 0).ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Select(f =>
            $"{string.Join("; ", f.Errors.Select(e => $"line {e.Line}: {e.Message}"))}\n{f.Sql}")));
    }

    private static IList<ParseError> Parse(string sql)
    {
        new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
        return errors;
    }
}
