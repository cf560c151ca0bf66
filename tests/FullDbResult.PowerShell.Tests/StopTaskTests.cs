using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

public sealed class StopTaskTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public StopTaskTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Stop_Task_says_per_task_what_it_did_and_errors_only_on_a_claimed_scheduled_task_without_stopping(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Insert(now, SeedStore.NewTask("finished", "t", "SUCCESS"))
            .Insert(now.AddMinutes(-5), SeedStore.NewTask("claimed", "t", "SCHEDULED", eta: now.AddMinutes(-5)))
            .ClaimDue(now.AddMinutes(-1))
            .Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)), SeedStore.NewTask("queued", "t", "PENDING"));

        var result = _host.RunOn(store, "'finished', 'missing', 'claimed', 'later', 'queued' | Stop-Task", brokerUrl: TestStores.BrokerUrl);

        Assert.Equal(
            new[] { ("finished", "AlreadyFinished"), ("missing", "RevokeSentUnknown"), ("later", "CancelledScheduled"), ("queued", "RevokedQueued") },
            result.Output.Select(o => ((string)o.Properties["TaskId"].Value, o.Properties["Action"].Value.ToString()!)));
        Assert.Equal(new[] { ("claimed", ErrorCategory.InvalidOperation) }, result.Errors.Select(e => ((string)e.TargetObject, e.CategoryInfo.Category)));
        Assert.Equal(("REVOKED", "REVOKED", "SCHEDULED", "SUCCESS"),
            ((string)store.Get("later")!.Status, (string)store.Get("queued")!.Status, (string)store.Get("claimed")!.Status, (string)store.Get("finished")!.Status));
        Assert.Null(store.Get("missing"));
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Stop_Task_WhatIf_changes_nothing_and_says_what_it_would_do(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "Get-TaskResult -TaskId later | Stop-Task -Terminate -WhatIf").AssertSucceeded();

        Assert.Contains("What if: Performing the operation \"Stop the task: cancel it if scheduled, revoke it if queued, terminate it if running\" on target \"later\"", result.HostText);
        Assert.Equal("SCHEDULED", (string)store.Get("later")!.Status);
    }

    [Fact]
    public void Stop_Task_cancels_a_scheduled_task_in_the_store_without_needing_a_broker()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "Stop-Task later -BrokerUrl amqp://nobody:secret@127.0.0.1:1/").AssertSucceeded();

        Assert.Equal("CancelledScheduled", Assert.Single(result.Output).Properties["Action"].Value.ToString());
        Assert.Equal("REVOKED", (string)store.Get("later")!.Status);
    }

    [Fact]
    public void Stop_Task_shows_one_table_line_per_task_with_its_action_and_message()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Insert(now, SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddDays(1)));

        var result = _host.RunOn(store, "Stop-Task later | Out-Host").AssertSucceeded();

        var lines = result.HostText.Split('\n').Select(line => line.TrimEnd()).ToList();
        Assert.Contains(lines, line => line.StartsWith("TaskId") && line.Contains("Action") && line.Contains("Message"));
        Assert.Contains(lines, line => line.StartsWith("later") && line.Contains("CancelledScheduled") && line.Contains("REVOKED") && line.Contains("will not be sent"));
    }

    [Fact]
    public void Stop_Task_on_a_queued_task_records_revoked_and_a_python_worker_discards_it()
    {
        var store = new SeedStore(TestStores.Sqlite);
        using var worker = new PythonWorker($"ps.stop.{Guid.NewGuid():N}");
        var (busy, target) = (PythonWorker.NewMarker(), PythonWorker.NewMarker());
        var sent = _host.RunOn(store, $$"""
            Send-Task control.sleep '[4, "{{busy}}"]' -Queue {{worker.Queue}} | Out-Null
            (Send-Task control.sleep '[0, "{{target}}"]' -Queue {{worker.Queue}}).TaskId
            """, brokerUrl: TestStores.BrokerUrl).AssertSucceeded();
        var id = (string)Assert.Single(sent.Output).BaseObject;
        PythonWorker.WaitForFile(busy + ".started");

        var result = _host.RunOn(store, $"Stop-Task {id}", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal("RevokedQueued", Assert.Single(result.Output).Properties["Action"].Value.ToString());
        Assert.Equal("REVOKED", (string)store.Get(id)!.Status);
        worker.WaitForOutput($"Discarding revoked task: control.sleep[{id}]");
        Assert.False(File.Exists(target + ".started"));
    }

    [Fact]
    public void Stop_Task_Terminate_sends_a_running_python_task_the_signal_given_and_names_the_worker_that_stopped_it()
    {
        var store = new SeedStore(TestStores.Sqlite);
        using var worker = new PythonWorker($"ps.terminate.{Guid.NewGuid():N}");
        var marker = PythonWorker.NewMarker();
        var sent = _host.RunOn(store, $$"""(Send-Task control.sleep '[60, "{{marker}}"]' -Queue {{worker.Queue}}).TaskId""", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();
        var id = (string)Assert.Single(sent.Output).BaseObject;
        PythonWorker.WaitForFile(marker + ".started");
        // An event monitor records STARTED for Python workers in production; here the test does.
        store.SetStatus(id, "STARTED");

        var result = _host.RunOn(store, $"Stop-Task {id} -Terminate -Signal SIGKILL", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var stopped = Assert.Single(result.Output);
        Assert.Equal("TerminateSent", stopped.Properties["Action"].Value.ToString());
        Assert.Single((IEnumerable<string>)stopped.Properties["TerminatedBy"].Value);
        worker.WaitForOutput($"Terminating {id} (9)");
        Assert.Equal("REVOKED", (string)store.Get(id)!.Status);
        Assert.False(File.Exists(marker + ".finished"));
    }
}
