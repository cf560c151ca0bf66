using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Remove-TaskResult, Repair-TaskResult and Initialize-TaskStore.</summary>
public sealed class MaintenanceTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public MaintenanceTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Remove_TaskResult_deletes_finished_tasks_older_than_the_age_in_batches_and_writes_the_count(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now.AddDays(-40),
                SeedStore.NewTask("old-1", "t", "SUCCESS"), SeedStore.NewTask("old-2", "t", "FAILURE"),
                SeedStore.NewTask("old-3", "t", "REVOKED"), SeedStore.NewTask("old-pending", "t", "PENDING"))
            .Insert(now.AddDays(-1), SeedStore.NewTask("recent", "t", "SUCCESS"));

        var result = _host.RunOn(store, "Remove-TaskResult -Days 30 -BatchSize 2 -Confirm:$false").AssertSucceeded();

        Assert.Equal(new[] { 3L }, result.OutputOf<long>());
        Assert.Equal("3 done", Assert.Single(result.Progress, p => p.RecordType == ProgressRecordType.Completed).StatusDescription);
        Assert.Null(store.Get("old-1"));
        Assert.NotNull(store.Get("old-pending"));
        Assert.NotNull(store.Get("recent"));
    }

    [Fact]
    public void Remove_TaskResult_Status_limits_the_states_removed()
    {
        var store = new SeedStore(TestStores.Sqlite).Insert(SeedStore.Now.AddDays(-2),
            SeedStore.NewTask("ok", "t", "SUCCESS"), SeedStore.NewTask("failed", "t", "FAILURE"));

        var result = _host.RunOn(store, "Remove-TaskResult -OlderThan (New-TimeSpan -Days 1) -Status SUCCESS -Confirm:$false").AssertSucceeded();

        Assert.Equal(new[] { 1L }, result.OutputOf<long>());
        Assert.NotNull(store.Get("failed"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Remove_TaskResult_WhatIf_deletes_nothing_and_says_how_many_tasks_of_which_states_and_age_would_go(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now.AddDays(-40), SeedStore.NewTask("old", "t", "SUCCESS"), SeedStore.NewTask("old-failed", "t", "FAILURE"),
                SeedStore.NewTask("old-open", "t", "PENDING"))
            .Insert(now.AddDays(-1), SeedStore.NewTask("new", "t", "SUCCESS"));

        var result = _host.RunOn(store, "Remove-TaskResult -Days 30 -WhatIf; Remove-TaskResult -Days 30 -Status success -WhatIf").AssertSucceeded();

        Assert.Empty(result.Output);
        Assert.Contains("What if: Performing the operation \"Remove 2 tasks in SUCCESS, FAILURE, REVOKED, SCHEDULED_SENT not changed for 30.00:00:00\"", result.HostText);
        Assert.Contains("What if: Performing the operation \"Remove 1 task in SUCCESS not changed for 30.00:00:00\"", result.HostText);
        Assert.NotNull(store.Get("old"));
    }

    [Fact]
    public void Remove_TaskResult_refuses_SCHEDULED_as_an_invalid_argument()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, "Remove-TaskResult -Days 1 -Status SCHEDULED -Confirm:$false");

        Assert.Equal(ErrorCategory.InvalidArgument, result.FirstError?.CategoryInfo.Category);
    }

    [Fact]
    public void Remove_TaskResult_asks_for_confirmation_so_a_headless_host_needs_Confirm_false()
    {
        var store = new SeedStore(TestStores.Sqlite).Insert(SeedStore.Now.AddDays(-40), SeedStore.NewTask("old", "t", "SUCCESS"));

        var result = _host.RunOn(store, "Remove-TaskResult -Days 30");

        Assert.NotNull(result.FirstError);
        Assert.NotNull(store.Get("old"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Repair_TaskResult_stores_bare_string_results_as_JSON_and_writes_the_count(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now,
            SeedStore.NewTask("bare", "t", "SUCCESS", result: "done"),
            SeedStore.NewTask("json", "t", "SUCCESS", result: "\"done\""));

        var whatIf = _host.RunOn(store, "Repair-TaskResult -WhatIf").AssertSucceeded();
        Assert.Equal("done", (string)store.Get("bare")!.Result);

        var result = _host.RunOn(store, "Repair-TaskResult").AssertSucceeded();

        Assert.Contains("What if:", whatIf.HostText);
        Assert.Equal(new[] { 1L }, result.OutputOf<long>());
        Assert.Equal("\"done\"", (string)store.Get("bare")!.Result);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Initialize_TaskStore_creates_the_schema_of_an_empty_database_and_then_finds_it_current_with_nothing_to_confirm(string provider)
    {
        var connectionString = TestStores.NewConnectionString(provider);
        var variables = new Dictionary<string, object?> { ["cs"] = connectionString };

        var whatIf = _host.Run("Initialize-TaskStore -ConnectionString $cs -WhatIf", variables).AssertSucceeded();
        var first = _host.Run("Initialize-TaskStore -ConnectionString $cs", variables).AssertSucceeded();
        var second = _host.Run("Initialize-TaskStore -ConnectionString $cs -WhatIf", variables).AssertSucceeded();

        Assert.Contains("Create the schema", whatIf.HostText);
        Assert.Empty(whatIf.Output);
        var created = Assert.Single(first.Output);
        Assert.Null(created.Properties["PreviousVersion"].Value);
        Assert.True((int)created.Properties["StepsApplied"].Value > 0);
        var current = Assert.Single(second.Output);
        Assert.Equal(created.Properties["Version"].Value, current.Properties["PreviousVersion"].Value);
        Assert.Equal(0, current.Properties["StepsApplied"].Value);
        Assert.DoesNotContain("What if:", second.HostText);
    }
}
