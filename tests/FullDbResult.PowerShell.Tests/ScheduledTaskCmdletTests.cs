using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Invoke-ScheduledDispatch, Get-PeriodicTask and Start-PeriodicTask against real RabbitMQ and stores.</summary>
public sealed class ScheduledTaskCmdletTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ScheduledTaskCmdletTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Invoke_ScheduledDispatch_sends_the_due_tasks_and_writes_a_summary(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider).Insert(now.AddMinutes(-10),
            SeedStore.NewTask("due-1", "t", "SCHEDULED", eta: now.AddMinutes(-5)),
            SeedStore.NewTask("due-2", "t", "SCHEDULED", eta: now.AddMinutes(-1)),
            SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddHours(1)));

        var result = _host.RunOn(store, "Invoke-ScheduledDispatch -BatchSize 1", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var summary = Assert.Single(result.Output);
        Assert.Equal(2, summary.Properties["Sent"].Value);
        Assert.Equal(0, summary.Properties["Failed"].Value);
        Assert.Equal("SCHEDULED_SENT", (string)store.Get("due-1")!.Status);
        Assert.Equal("SCHEDULED", (string)store.Get("later")!.Status);
        var done = Assert.Single(result.Progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Equal(("Dispatching scheduled tasks", "2 sent"), (done.Activity, done.StatusDescription));
    }

    [Fact]
    public void Invoke_ScheduledDispatch_WhatIf_lists_the_due_tasks_without_claiming_them()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Insert(now.AddMinutes(-10),
            SeedStore.NewTask("due", "t", "SCHEDULED", eta: now.AddMinutes(-5)),
            SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddHours(1)));

        var result = _host.RunOn(store, "Invoke-ScheduledDispatch -WhatIf", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal(new[] { "due" }, GetTaskResultTests.TaskIds(result));
        Assert.Contains("What if: Dispatching the due scheduled tasks", result.HostText);
        Assert.Null(store.Get("due")!.ScheduledId);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Get_PeriodicTask_by_name_piped_to_Start_PeriodicTask_sends_it_now(string provider)
    {
        var store = new SeedStore(provider)
            .AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1))
            .AddPeriodic("hourly", "cache.warm", TimeSpan.FromHours(1), enabled: false);

        var result = _host.RunOn(store, "Get-PeriodicTask -Name nightly | Start-PeriodicTask -Confirm:$false", brokerUrl: TestStores.BrokerUrl)
            .AssertSucceeded();

        var sent = Assert.Single(result.Output);
        Assert.Equal("reports.nightly", sent.Properties["TaskName"].Value);
        Assert.Equal("PENDING", (string)store.Get((string)sent.Properties["TaskId"].Value)!.Status);
    }

    [Fact]
    public void Get_PeriodicTask_matches_wildcards_and_Enabled_and_reports_an_unknown_plain_name()
    {
        var store = new SeedStore(TestStores.Sqlite)
            .AddPeriodic("report-nightly", "reports.nightly", TimeSpan.FromDays(1))
            .AddPeriodic("report-hourly", "reports.hourly", TimeSpan.FromHours(1), enabled: false);

        var result = _host.RunOn(store, """
            (Get-PeriodicTask 'report-*' | ForEach-Object Name | Sort-Object) -join ','
            (Get-PeriodicTask -Enabled | ForEach-Object Name) -join ','
            Get-PeriodicTask 'nothing-*', 'missing'
            """);

        Assert.Equal(new[] { "report-hourly,report-nightly", "report-nightly" }, result.OutputOf<string>());
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("missing", error.TargetObject);
    }

    [Fact]
    public void The_periodic_task_table_shows_the_schedule_within_120_columns()
    {
        var store = new SeedStore(TestStores.Sqlite).AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, "Get-PeriodicTask | Out-Default").AssertSucceeded();

        var lines = result.HostText.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Name", lines[0]);
        Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
        Assert.Contains("every 86400 s", lines[2]);
    }

    [Fact]
    public void Start_PeriodicTask_writes_an_error_for_an_unknown_name_and_goes_on()
    {
        var store = new SeedStore(TestStores.Sqlite).AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, "'missing', 'nightly' | Start-PeriodicTask", brokerUrl: TestStores.BrokerUrl);

        Assert.Single(result.Output);
        Assert.Equal("missing", Assert.Single(result.Errors).TargetObject);
    }

    [Fact]
    public void Start_PeriodicTask_WhatIf_sends_nothing()
    {
        var store = new SeedStore(TestStores.Sqlite).AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, "Start-PeriodicTask nightly -WhatIf; @(Get-TaskResult).Count", brokerUrl: TestStores.BrokerUrl)
            .AssertSucceeded();

        Assert.Equal(new[] { 0 }, result.OutputOf<int>());
        Assert.Contains("What if: Performing the operation \"Send the periodic task now\" on target \"nightly\"", result.HostText);
    }
}
