using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

public sealed class GetTaskResultTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public GetTaskResultTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Status_and_a_name_pattern_select_the_matching_tasks_newest_first(string provider)
    {
        var store = new SeedStore(provider)
            .Insert(SeedStore.Now.AddHours(-2), SeedStore.NewTask("old-fail", "email.send", "FAILURE"))
            .Insert(SeedStore.Now.AddHours(-1), SeedStore.NewTask("new-fail", "email.bounce", "FAILURE"),
                SeedStore.NewTask("other-fail", "billing.charge", "FAILURE"), SeedStore.NewTask("ok", "email.send", "SUCCESS"));

        var result = _host.RunOn(store, "Get-TaskResult -Status FAILURE -Name 'email.*'").AssertSucceeded();

        Assert.Equal(new[] { "new-fail", "old-fail" }, TaskIds(result));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Piped_ids_write_the_found_tasks_and_an_ObjectNotFound_error_for_the_missing_one(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now,
            SeedStore.NewTask("a", "t.a", "SUCCESS"), SeedStore.NewTask("b", "t.b", "PENDING"));

        var result = _host.RunOn(store, "'a', 'missing', 'b' | Get-TaskResult");

        Assert.Equal(new[] { "a", "b" }, TaskIds(result));
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("missing", error.TargetObject);
        Assert.Null(result.TerminatingError);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Records_piped_in_are_read_again_by_their_TaskId_property(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now, SeedStore.NewTask("x", "t.x", "STARTED"));

        var result = _host.RunOn(store, "Get-TaskResult -Name t.x | Get-TaskResult").AssertSucceeded();

        Assert.Equal(new[] { "x" }, TaskIds(result));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Name_patterns_follow_one_case_sensitive_rule_on_every_database(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now.AddHours(-2),
            SeedStore.NewTask("lower", "email.send", "PENDING"), SeedStore.NewTask("upper", "EMAIL.send", "PENDING"),
            SeedStore.NewTask("underscore", "email_send", "PENDING"));

        var result = _host.RunOn(store, """
            (Get-TaskResult -Name 'EMAIL.*' | ForEach-Object TaskId) -join ','
            (Get-TaskResult -Name 'email.*' | ForEach-Object TaskId) -join ','
            (Get-TaskResult -Name 'email?send' | ForEach-Object TaskId | Sort-Object) -join ','
            (Get-TaskResult -Name 'Email.send' | ForEach-Object TaskId) -join ','
            (Get-StaleTask -Hours 1 -Name 'EMAIL*' | ForEach-Object TaskId) -join ','
            """).AssertSucceeded();

        Assert.Equal(new[] { "upper", "lower", "lower,underscore", "", "upper" }, result.OutputOf<string>());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void The_first_position_takes_a_task_id(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now,
            SeedStore.NewTask("a", "t.a", "SUCCESS"), SeedStore.NewTask("b", "t.b", "PENDING"));

        var result = _host.RunOn(store, "Get-TaskResult b").AssertSucceeded();

        Assert.Equal(new[] { "b" }, TaskIds(result));
    }

    [Theory]
    [InlineData("Get-TaskResult")]
    [InlineData("Stop-Task")]
    [InlineData("Invoke-TaskRetry")]
    [InlineData("Start-PeriodicTask")]
    public void A_session_piped_into_a_command_that_needs_ids_or_names_is_refused_with_an_error_record(string command)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, $"Get-FullDbResultSession | {command}", brokerUrl: TestStores.BrokerUrl);

        var error = result.FirstError;
        Assert.NotNull(error);
        Assert.Contains("A FullDbResultSession is not a", error.ToString());
        Assert.DoesNotContain(result.Errors, e => e.CategoryInfo.Category == ErrorCategory.ObjectNotFound);
        Assert.Empty(result.Output);
        Assert.Equal("SCHEDULED", (string)store.Get("later")!.Status);
    }

    [Fact]
    public void Since_Until_and_First_narrow_the_listing()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite)
            .Insert(now.AddDays(-3), SeedStore.NewTask("d3", "t", "SUCCESS"))
            .Insert(now.AddDays(-2), SeedStore.NewTask("d2", "t", "SUCCESS"))
            .Insert(now.AddDays(-1), SeedStore.NewTask("d1", "t", "SUCCESS"));

        var result = _host.RunOn(store, """
            Get-TaskResult -Since $since -Until $until
            Get-TaskResult -First 1
            """, new Dictionary<string, object?> { ["since"] = now.AddDays(-2.5), ["until"] = now.AddDays(-1.5) }).AssertSucceeded();

        Assert.Equal(new[] { "d2", "d1" }, TaskIds(result));
    }

    [Fact]
    public void A_listing_streams_so_a_pipeline_can_stop_it_after_the_first_task()
    {
        var store = new SeedStore(TestStores.Sqlite);
        store.Insert(SeedStore.Now, Enumerable.Range(0, 1200).Select(i => SeedStore.NewTask($"t{i}", "bulk", "SUCCESS")).ToArray());

        var result = _host.RunOn(store, "Get-TaskResult -Name bulk | Select-Object -First 1").AssertSucceeded();

        Assert.Single(result.Output);
    }

    [Fact]
    public void A_long_listing_reports_its_progress()
    {
        var store = new SeedStore(TestStores.Sqlite);
        store.Insert(SeedStore.Now, Enumerable.Range(0, 2100).Select(i => SeedStore.NewTask($"t{i}", "bulk", "SUCCESS")).ToArray());

        var result = _host.RunOn(store, "$count = 0; Get-TaskResult -Name bulk | ForEach-Object { $count++ }; $count").AssertSucceeded();

        Assert.Equal(new[] { 2100 }, result.OutputOf<int>());
        Assert.Equal(new[] { "1000 read", "2000 read", "2100 read" }, result.Progress.Select(p => p.StatusDescription));
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
    }

    [Fact]
    public void The_default_table_renders_through_Out_Default()
    {
        var store = new SeedStore(TestStores.Sqlite).Insert(SeedStore.Now,
            SeedStore.NewTask("render-1", "reports.nightly", "FAILURE", worker: "celery@w1"));

        var result = _host.RunOn(store, "Get-TaskResult -Name reports.nightly | Out-Default").AssertSucceeded();

        var lines = result.HostText.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TaskId", lines[0]);
        Assert.Contains(lines, line => line.StartsWith("render-1") && line.Contains("FAILURE") && line.Contains("celery@w1"));
    }

    internal static string[] TaskIds(ScriptResult result) =>
        result.Output.Select(o => (string)o.Properties["TaskId"].Value).ToArray();
}
