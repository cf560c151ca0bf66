using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

public sealed class StopTaskTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public StopTaskTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Stop_Task_revokes_an_unclaimed_scheduled_task_and_errors_on_the_others_without_stopping(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now, SeedStore.NewTask("finished", "t", "SUCCESS"))
            .Insert(now.AddMinutes(-5), SeedStore.NewTask("claimed", "t", "SCHEDULED", eta: now.AddMinutes(-5)))
            .ClaimDue(now.AddMinutes(-1))
            .Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "'finished', 'missing', 'claimed', 'later' | Stop-Task -PassThru");

        Assert.Equal(new[] { "later" }, GetTaskResultTests.TaskIds(result));
        Assert.Equal("REVOKED", (string)store.Get("later")!.Status);
        Assert.Equal(
            new[] { ("finished", ErrorCategory.InvalidOperation), ("missing", ErrorCategory.ObjectNotFound), ("claimed", ErrorCategory.InvalidOperation) },
            result.Errors.Select(e => ((string)e.TargetObject, e.CategoryInfo.Category)));
        Assert.Equal("SCHEDULED", (string)store.Get("claimed")!.Status);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Stop_Task_WhatIf_changes_nothing_and_says_what_it_would_do(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "Get-TaskResult -TaskId later | Stop-Task -WhatIf").AssertSucceeded();

        Assert.Contains("What if: Performing the operation \"Cancel the scheduled task (SCHEDULED to REVOKED)\" on target \"later\"", result.HostText);
        Assert.Equal("SCHEDULED", (string)store.Get("later")!.Status);
    }

    [Fact]
    public void Stop_Task_without_PassThru_writes_nothing()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "Stop-Task later").AssertSucceeded();

        Assert.Empty(result.Output);
        Assert.Equal("REVOKED", (string)store.Get("later")!.Status);
    }
}
