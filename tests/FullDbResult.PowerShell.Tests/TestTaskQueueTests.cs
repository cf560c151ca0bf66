namespace FullDbResult.PowerShell.Tests;

public sealed class TestTaskQueueTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public TestTaskQueueTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Test_TaskQueue_counts_stale_tasks_claims_due_tasks_and_workers(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Heartbeat("celery@alive", now)
            .Heartbeat("celery@silent", now.AddHours(-2))
            .Heartbeat("celery@stopped", now.AddHours(-2), stoppedAt: now.AddHours(-2))
            .Insert(now.AddHours(-3), SeedStore.NewTask("stale", "t", "STARTED", worker: "celery@silent"))
            .Insert(now.AddHours(-1), SeedStore.NewTask("claimed", "t", "SCHEDULED", eta: now.AddHours(-1)))
            .ClaimDue(now.AddMinutes(-20))
            .Insert(now.AddHours(-1), SeedStore.NewTask("due", "t", "SCHEDULED", eta: now.AddMinutes(-15)),
                SeedStore.NewTask("due-too", "t", "SCHEDULED", eta: now.AddMinutes(-5)),
                SeedStore.NewTask("later", "t", "SCHEDULED", eta: now.AddHours(1)));

        var result = _host.RunOn(store, "Test-TaskQueue -StaleAfter (New-TimeSpan -Hours 1) -ClaimStaleAfter (New-TimeSpan -Minutes 10)")
            .AssertSucceeded();

        var health = Assert.Single(result.Output);
        int Count(string name) => (int)health.Properties[name].Value;
        Assert.Equal(1, Count("StaleCount"));
        Assert.Equal(1, Count("PossiblyAbortedCount"));
        Assert.Equal(1, Count("StaleScheduledCount"));
        Assert.Equal(2, Count("DueScheduledCount"));
        Assert.Equal(1, Count("WorkersAlive"));
        Assert.Equal(1, Count("WorkersSilent"));
        var oldestDue = (TimeSpan)health.Properties["OldestDueAge"].Value;
        Assert.InRange(oldestDue, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(16));
    }

    [Fact]
    public void Test_TaskQueue_on_an_empty_store_finds_nothing_due_and_no_age()
    {
        var result = _host.RunOn(new SeedStore(TestStores.Sqlite), "Test-TaskQueue").AssertSucceeded();

        var health = Assert.Single(result.Output);
        Assert.Equal(0, health.Properties["StaleCount"].Value);
        Assert.Equal(TimeSpan.Zero, health.Properties["OldestDueAge"].Value);
        Assert.Equal(TimeSpan.FromHours(1), health.Properties["StaleAfter"].Value);
    }
}
