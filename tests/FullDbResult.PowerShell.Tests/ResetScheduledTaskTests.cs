using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Recovering a dispatcher's stale claim from PowerShell: Get-StaleScheduledTask | Reset-ScheduledTask.</summary>
public sealed class ResetScheduledTaskTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ResetScheduledTaskTests(ModuleHostFixture fixture) => _host = fixture.Host;

    private static SeedStore StoreWithAStaleClaim(string provider)
    {
        var now = SeedStore.Now;
        return new SeedStore(provider)
            .Insert(now.AddHours(-1), SeedStore.NewTask("crashed", "t", "SCHEDULED", eta: now.AddMinutes(-40)))
            .ClaimDue(now.AddMinutes(-30))
            .Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void A_stale_claim_piped_to_Reset_ScheduledTask_is_released_and_the_next_dispatch_sends_it_once(string provider)
    {
        var store = StoreWithAStaleClaim(provider);

        var result = _host.RunOn(store, """
            Get-StaleScheduledTask -Minutes 10 | Reset-ScheduledTask -Confirm:$false
            (Invoke-ScheduledDispatch).Sent
            (Invoke-ScheduledDispatch).Sent
            @(Get-StaleScheduledTask -OlderThan ([TimeSpan]::Zero)).Count
            """, brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal(new[] { 1, 0, 0 }, result.OutputOf<int>());
        var crashed = store.Get("crashed")!;
        Assert.Equal("SCHEDULED_SENT", (string)crashed.Status);
        Assert.Equal("PENDING", (string)store.Get((string)crashed.RetriedAs)!.Status);
    }

    [Fact]
    public void Of_two_operators_resetting_the_same_stale_claim_at_once_one_releases_it_and_the_other_gets_an_error()
    {
        var store = StoreWithAStaleClaim(TestStores.Sqlite);
        using var other = new ModuleHost();
        const string read = "$stale = Get-StaleScheduledTask -Minutes 10";
        _host.RunOn(store, read).AssertSucceeded();
        other.RunOn(store, read).AssertSucceeded();

        const string reset = "$stale | Reset-ScheduledTask -PassThru -Confirm:$false";
        var results = new[] { _host, other }.AsParallel().Select(host => host.Run(reset)).ToList();

        Assert.Equal(1, results.Sum(r => r.Output.Count));
        var error = Assert.Single(results.SelectMany(r => r.Errors));
        Assert.Equal(("TaskClaimNotReleased,FullDbResult.PowerShell.Commands.ResetScheduledTaskCommand", "crashed"),
            (error.FullyQualifiedErrorId, (string)error.TargetObject));
        Assert.Null(store.Get("crashed")!.ScheduledId);
    }

    [Fact]
    public void Reset_ScheduledTask_never_releases_a_newer_claim_than_the_one_piped_in()
    {
        var store = StoreWithAStaleClaim(TestStores.Sqlite);
        _host.RunOn(store, "$stale = Get-StaleScheduledTask -Minutes 10; $stale | Reset-ScheduledTask -Confirm:$false").AssertSucceeded();
        store.ClaimDue(SeedStore.Now);
        var newClaim = (string)store.Get("crashed")!.ScheduledId;

        var result = _host.Run("$stale | Reset-ScheduledTask -Confirm:$false");

        Assert.Equal(ErrorCategory.InvalidOperation, Assert.Single(result.Errors).CategoryInfo.Category);
        Assert.Contains(newClaim, result.Errors[0].ToString());
        Assert.Equal(newClaim, (string)store.Get("crashed")!.ScheduledId);
    }

    [Fact]
    public void Reset_ScheduledTask_refuses_unclaimed_and_unknown_tasks_and_WhatIf_releases_nothing()
    {
        var store = StoreWithAStaleClaim(TestStores.Sqlite);

        var result = _host.RunOn(store, "'later', 'missing' | Reset-ScheduledTask; Reset-ScheduledTask crashed -WhatIf");

        Assert.Equal(new[] { ("later", ErrorCategory.InvalidOperation), ("missing", ErrorCategory.ObjectNotFound) },
            result.Errors.Select(e => ((string)e.TargetObject, e.CategoryInfo.Category)));
        Assert.Contains("What if: Performing the operation \"Release the dispatcher claim", result.HostText);
        Assert.NotNull(store.Get("crashed")!.ScheduledId);
    }

    [Fact]
    public void Invoke_TaskRetry_refuses_a_claimed_scheduled_task_and_names_Reset_ScheduledTask()
    {
        var store = StoreWithAStaleClaim(TestStores.Sqlite);

        var result = _host.RunOn(store, "Get-StaleScheduledTask -Minutes 10 | Invoke-TaskRetry -Confirm:$false", brokerUrl: TestStores.BrokerUrl);

        var error = Assert.Single(result.Errors);
        Assert.Equal("ScheduledTaskClaimed,FullDbResult.PowerShell.Commands.InvokeTaskRetryCommand", error.FullyQualifiedErrorId);
        Assert.Contains("Reset-ScheduledTask", error.ToString());
        Assert.Null(store.Get("crashed")!.RetriedAs);
    }
}
