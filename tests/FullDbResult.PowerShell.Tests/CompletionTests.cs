namespace FullDbResult.PowerShell.Tests;

/// <summary>Tab completion of task names, states and periodic task names, as PowerShell's own completion runs it.</summary>
public sealed class CompletionTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public CompletionTests(ModuleHostFixture fixture) => _host = fixture.Host;

    private string[] Complete(SeedStore store, string input)
    {
        var result = _host.RunOn(store, "[System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object?> { ["line"] = input }).AssertSucceeded();
        return [.. result.OutputOf<string>()];
    }

    [Fact]
    public void States_complete_whatever_the_case_typed()
    {
        var store = new SeedStore(TestStores.Sqlite);

        Assert.Equal(new[] { "PENDING" }, Complete(store, "Get-TaskResult -Status pen"));
        Assert.Equal(new[] { "SCHEDULED", "SCHEDULED_SENT", "STARTED", "SUCCESS" }, Complete(store, "Get-StaleTask -TerminalState S"));
        Assert.Equal(new[] { "FAILURE" }, Complete(store, "Remove-TaskResult -Status f"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Task_names_complete_from_the_store(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider).Insert(now,
            SeedStore.NewTask("a", "email.send", "SUCCESS"), SeedStore.NewTask("b", "email.send", "FAILURE"),
            SeedStore.NewTask("c", "email.bounce", "PENDING"), SeedStore.NewTask("d", "billing.charge", "PENDING"),
            SeedStore.NewTask("e", "Email.legacy", "PENDING"));

        Assert.Equal(new[] { "email.bounce", "email.send" }, Complete(store, "Get-TaskResult -Name em"));
        Assert.Equal(new[] { "Email.legacy", "billing.charge", "email.bounce", "email.send" }, Complete(store, "Get-StaleTask -Name "));
        Assert.Equal(new[] { "billing.charge" }, Complete(store, "Send-Task b"));
    }

    [Fact]
    public void Periodic_task_names_complete_from_the_store()
    {
        var store = new SeedStore(TestStores.Sqlite)
            .AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1))
            .AddPeriodic("night watch", "t.w", TimeSpan.FromHours(1))
            .AddPeriodic("hourly", "cache.warm", TimeSpan.FromHours(1));

        Assert.Equal(new[] { "'night watch'", "nightly" }, Complete(store, "Start-PeriodicTask nigh"));
        Assert.Equal(new[] { "hourly" }, Complete(store, "Set-PeriodicTask -Name h"));
        Assert.Equal(new[] { "hourly", "'night watch'", "nightly" }, Complete(store, "Remove-PeriodicTask "));
    }
}
