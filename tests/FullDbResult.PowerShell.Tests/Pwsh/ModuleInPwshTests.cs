using System.Text.Json;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// The module as operators run it: real pwsh processes that import the folder build.ps1 built, by name from
/// PSModulePath, and run the commands of a runbook or a cron job. Output is what such a job's log shows.
/// </summary>
[Collection(PwshCollection.Name)]
public sealed class ModuleInPwshTests(PwshModule module)
{
    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Get_StaleTask_piped_to_Invoke_TaskRetry_WhatIf_names_each_stale_task_and_retries_none(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now.AddHours(-3), SeedStore.NewTask("finished", "email.send", "SUCCESS"))
            .Insert(now.AddHours(-2), SeedStore.NewTask("stuck", "email.send", "STARTED", worker: "celery@gone"))
            .Insert(now, SeedStore.NewTask("fresh", "email.send", "PENDING"));

        var result = module.Command($"""
            Import-Module FullDbResult
            Connect-FullDbResult -ConnectionString {PwshProcess.Quote(store.ConnectionString)} | Out-Null
            Get-StaleTask -Hours 1 | Invoke-TaskRetry -WhatIf
            """).AssertSucceeded();

        var whatIf = Assert.Single(result.Lines);
        Assert.StartsWith("What if: ", whatIf);
        Assert.EndsWith("on target \"stuck\".", whatIf);
        Assert.Null(store.Get("stuck")!.RetriedAs);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Get_TaskResult_writes_an_ObjectNotFound_error_for_a_missing_id_and_goes_on_with_the_next(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now, SeedStore.NewTask("done", "email.send", "SUCCESS"));

        var result = module.Command("""
            Import-Module FullDbResult
            'missing', 'done' | Get-TaskResult -ErrorVariable failed | ForEach-Object { "found $($_.TaskId) $($_.Status)" }
            $failed | ForEach-Object { "error $($_.CategoryInfo.Category) $($_.TargetObject)" }
            """, StoreFromEnvironment(store));

        Assert.Equal(new[] { "found done SUCCESS", "error ObjectNotFound missing" }, result.Lines);
        Assert.Contains("No task with id 'missing' is stored.", result.Error);
    }

    [Fact]
    public void A_failing_command_makes_pwsh_Command_exit_1_with_the_error_on_stderr_so_a_cron_job_fails()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = module.Command("Get-TaskResult -TaskId missing", StoreFromEnvironment(store));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("No task with id 'missing' is stored.", result.Error);
    }

    [Fact]
    public void An_unreachable_store_stops_a_retry_job_with_exit_code_1_and_no_password_in_its_output()
    {
        var unreachable = $"Host=127.0.0.1;Port={ClosedPort()};Database=tasks;Username=ops;Password=Cron-Secret-7;Timeout=3";

        var result = module.Command("Get-StaleTask -Hours 1 | Invoke-TaskRetry -Confirm:$false",
            new Dictionary<string, string?> { ["FULLDBRESULT_CONNECTION_STRING"] = unreachable });

        Assert.Equal(1, result.ExitCode);
        Assert.NotEqual("", result.Error);
        Assert.DoesNotContain("Cron-Secret-7", result.Output + result.Error);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Remove_TaskResult_WhatIf_says_what_it_would_remove_and_removes_nothing(string provider)
    {
        var store = new SeedStore(provider).Insert(SeedStore.Now.AddDays(-3), SeedStore.NewTask("old", "email.send", "SUCCESS"));

        var result = module.Command("Remove-TaskResult -OlderThan (New-TimeSpan -Days 1) -WhatIf", StoreFromEnvironment(store))
            .AssertSucceeded();

        Assert.StartsWith("What if: ", Assert.Single(result.Lines));
        Assert.NotNull(store.Get("old"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Test_TaskQueue_gives_a_check_the_counts_of_stale_tasks_and_of_live_and_silent_workers(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Heartbeat("celery@gone", now.AddHours(-3))
            .Heartbeat("celery@alive", now)
            .Insert(now.AddHours(-2), SeedStore.NewTask("stuck", "email.send", "STARTED", worker: "celery@gone"))
            .Insert(now, SeedStore.NewTask("fresh", "email.send", "STARTED", worker: "celery@alive"));

        var result = module.Command("""
            Test-TaskQueue | Select-Object StaleCount, PossiblyAbortedCount, WorkersAlive, WorkersSilent | ConvertTo-Json -Compress
            """, StoreFromEnvironment(store)).AssertSucceeded();

        var health = JsonSerializer.Deserialize<Dictionary<string, int>>(result.Output)!;
        Assert.Equal(new Dictionary<string, int>
        {
            ["StaleCount"] = 1,
            ["PossiblyAbortedCount"] = 1,
            ["WorkersAlive"] = 1,
            ["WorkersSilent"] = 1,
        }, health);
    }

    /// <summary>The store as a scheduled job gets it: from the environment, no Connect-FullDbResult.</summary>
    private static Dictionary<string, string?> StoreFromEnvironment(SeedStore store) =>
        new() { ["FULLDBRESULT_CONNECTION_STRING"] = store.ConnectionString };

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
