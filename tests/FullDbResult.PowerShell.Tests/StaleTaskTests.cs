using System.Management.Automation;
using static FullDbResult.PowerShell.Tests.GetTaskResultTests;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Get-StaleTask and Get-StaleScheduledTask.</summary>
public sealed class StaleTaskTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public StaleTaskTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Hours_finds_unfinished_tasks_older_than_the_age_and_marks_those_whose_worker_went_silent(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Heartbeat("celery@dead", now.AddHours(-3))
            .Heartbeat("celery@alive", now)
            .Insert(now.AddHours(-3),
                SeedStore.NewTask("aborted", "t", "STARTED", worker: "celery@dead"),
                SeedStore.NewTask("slow", "t", "STARTED", worker: "celery@alive"),
                SeedStore.NewTask("done", "t", "SUCCESS"))
            .Insert(now.AddHours(-2), SeedStore.NewTask("waiting", "t", "PENDING"))
            .Insert(now, SeedStore.NewTask("fresh", "t", "PENDING"));

        var result = _host.RunOn(store, "Get-StaleTask -Hours 1").AssertSucceeded();

        Assert.Equal(new[] { "aborted", "slow", "waiting" }, TaskIds(result).Order());
        var aborted = result.Output.Where(o => (bool)o.Properties["PossiblyAborted"].Value).Select(o => o.Properties["TaskId"].Value);
        Assert.Equal(new object[] { "aborted" }, aborted);
        Assert.Contains("FullDbResult.Tasks.StaleTask", result.Output[0].TypeNames);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Days_Minutes_and_OlderThan_are_the_same_age_given_other_ways(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now.AddDays(-2), SeedStore.NewTask("two-days", "t", "PENDING"))
            .Insert(now.AddMinutes(-30), SeedStore.NewTask("half-hour", "t", "PENDING"));

        var result = _host.RunOn(store, """
            @(Get-StaleTask -Days 1).Count
            @(Get-StaleTask -Minutes 10).Count
            @(Get-StaleTask -OlderThan (New-TimeSpan -Hours 1)).Count
            @(Get-StaleTask).Count
            """).AssertSucceeded();

        Assert.Equal(new[] { 1, 2, 1, 1 }, result.OutputOf<int>());
    }

    [Fact]
    public void Two_ages_at_once_are_refused_by_the_parameter_sets()
    {
        var result = _host.Run("Get-StaleTask -Hours 1 -Days 1");

        Assert.Equal("AmbiguousParameterSet,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", result.FirstError?.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_negative_age_is_refused_when_the_parameter_binds()
    {
        var result = _host.Run("Get-StaleTask -OlderThan (New-TimeSpan -Hours -1)");

        Assert.Equal("ParameterArgumentValidationError,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", result.FirstError?.FullyQualifiedErrorId);
    }

    [Fact]
    public void TerminalState_replaces_the_default_set_and_Name_and_IncludeRetried_filter()
    {
        var now = SeedStore.Now;
        var old = now.AddHours(-5);
        var store = new SeedStore(TestStores.Sqlite).Insert(old,
            SeedStore.NewTask("failed", "email.send", "FAILURE"),
            SeedStore.NewTask("pending", "email.send", "PENDING"),
            SeedStore.NewTask("other", "billing.charge", "PENDING"));

        var result = _host.RunOn(store, """
            (Get-StaleTask -Hours 1 -TerminalState SUCCESS -Name 'email.*' | ForEach-Object TaskId | Sort-Object) -join ','
            (Get-StaleTask -Hours 1 -First 1 -IncludeRetried | ForEach-Object TaskId).Count
            """).AssertSucceeded();

        Assert.Equal(new object[] { "failed,pending", 1 }, result.Output.Select(o => o.BaseObject));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void States_are_matched_whatever_their_case_and_a_revoked_task_is_never_stale(string provider)
    {
        var old = SeedStore.Now.AddHours(-5);
        var store = new SeedStore(provider).Insert(old,
            SeedStore.NewTask("done", "t", "SUCCESS"),
            SeedStore.NewTask("failed", "t", "FAILURE"),
            SeedStore.NewTask("cancelled", "t", "REVOKED"),
            SeedStore.NewTask("waiting", "t", "PENDING"));

        var result = _host.RunOn(store, """
            (Get-StaleTask -Hours 1 -TerminalState success | ForEach-Object TaskId | Sort-Object) -join ','
            (Get-StaleTask -Hours 1 -TerminalState Success, failure | ForEach-Object TaskId | Sort-Object) -join ','
            (Get-TaskResult -Status pending, Revoked | ForEach-Object TaskId | Sort-Object) -join ','
            """).AssertSucceeded();

        Assert.Equal(new[] { "failed,waiting", "waiting", "cancelled,waiting" }, result.OutputOf<string>());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Get_StaleScheduledTask_finds_claims_older_than_the_age(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now.AddHours(-2), SeedStore.NewTask("claimed-long-ago", "t", "SCHEDULED", eta: now.AddHours(-2)))
            .ClaimDue(now.AddMinutes(-30))
            .Insert(now.AddMinutes(-2), SeedStore.NewTask("claimed-just-now", "t", "SCHEDULED", eta: now.AddMinutes(-2)))
            .ClaimDue(now.AddMinutes(-1))
            .Insert(now, SeedStore.NewTask("unclaimed", "t", "SCHEDULED", eta: now.AddHours(1)));

        var result = _host.RunOn(store, """
            Get-StaleScheduledTask -Minutes 10
            '--'
            Get-StaleScheduledTask -OlderThan ([TimeSpan]::Zero)
            """).AssertSucceeded();

        var ids = result.Output.Select(o => o.BaseObject as string ?? (string)o.Properties["TaskId"].Value).ToArray();
        Assert.Equal(new[] { "claimed-long-ago", "--", "claimed-long-ago", "claimed-just-now" }, ids);
    }

    [Fact]
    public void The_stale_task_table_fits_120_columns_and_flags_possibly_aborted_tasks()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite)
            .Heartbeat("celery@worker-host-0001.example.com", now.AddHours(-3))
            .Insert(now.AddHours(-3), SeedStore.NewTask("aborted", "notifications.email.send_welcome_message", "STARTED",
                worker: "celery@worker-host-0001.example.com"));

        var result = _host.RunOn(store, "Get-StaleTask -Hours 1 | Out-Default").AssertSucceeded();

        var lines = result.HostText.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TaskId", lines[0]);
        Assert.EndsWith("Aborted?", lines[0].TrimEnd());
        Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
        Assert.EndsWith("yes", lines[2].TrimEnd());
    }

    [Fact]
    public void An_unreachable_store_is_a_terminating_ConnectionError()
    {
        var result = _host.Run("Get-StaleTask -ConnectionString 'Host=127.0.0.1;Port=1;Username=u;Database=d;Timeout=2'");

        Assert.Equal(ErrorCategory.ConnectionError, result.FirstError?.CategoryInfo.Category);
    }
}
