namespace FullDbResult.PowerShell.Tests;

public sealed class GetTaskWorkerTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public GetTaskWorkerTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void Get_TaskWorker_lists_heartbeat_rows_and_a_python_worker_that_answers_the_ping()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite)
            .Heartbeat("ours@alive", now)
            .Heartbeat("ours@silent", now.AddHours(-2))
            .Heartbeat("ours@stopped", now.AddHours(-2), stoppedAt: now.AddHours(-2));
        using var python = new PythonWorker($"ps.workers.{Guid.NewGuid():N}");

        var result = _host.RunOn(store, "Get-TaskWorker -Timeout (New-TimeSpan -Seconds 2)", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var byName = result.Output.ToDictionary(o => (string)o.Properties["Name"].Value);
        Assert.Equal((false, false), ((bool)byName["ours@alive"].Properties["Answered"].Value, (bool)byName["ours@alive"].Properties["Silent"].Value));
        Assert.True((bool)byName["ours@silent"].Properties["Silent"].Value);
        Assert.DoesNotContain("ours@stopped", byName.Keys);
        var answered = Assert.Single(result.Output, o => ((IEnumerable<string>)o.Properties["Queues"].Value).Contains(python.Queue));
        Assert.True((bool)answered.Properties["Answered"].Value);
        Assert.Equal(0, answered.Properties["ActiveTasks"].Value);
        Assert.Null(answered.Properties["LastHeartbeat"].Value);
    }

    [Fact]
    public void Get_TaskWorker_IncludeStopped_and_Name_filter_the_heartbeat_rows()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite)
            .Heartbeat("ours@alive", now)
            .Heartbeat("ours@stopped", now.AddHours(-2), stoppedAt: now.AddHours(-2));

        var result = _host.RunOn(store, "Get-TaskWorker 'ours@*' -IncludeStopped -Timeout 0", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal(new[] { "ours@alive", "ours@stopped" }, result.Output.Select(o => (string)o.Properties["Name"].Value));
    }

    [Fact]
    public void Test_TaskQueue_PingWorkers_counts_the_workers_that_answer_beside_the_heartbeat_rows()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.Sqlite).Heartbeat("ours@silent", now.AddHours(-2));
        using var python = new PythonWorker($"ps.health.{Guid.NewGuid():N}");

        var result = _host.RunOn(store, "Test-TaskQueue -PingWorkers", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var health = Assert.Single(result.Output);
        Assert.InRange((int)health.Properties["WorkersAnswering"].Value, 1, int.MaxValue);
        Assert.Equal(1, health.Properties["WorkersSilent"].Value);
        Assert.InRange((int)health.Properties["WorkersAlive"].Value, 1, int.MaxValue);
    }
}
