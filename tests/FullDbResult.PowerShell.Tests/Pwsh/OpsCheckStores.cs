namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Stores for the ops checks of module/Examples: a healthy one that every check must pass, and an unhealthy
/// one with one fault for each check, which every check must fail.
/// </summary>
public static class OpsCheckStores
{
    private const string AliveWorker = "celery@alive";

    /// <summary>
    /// A queue at work: a live worker running a task started two minutes ago, finished tasks, nine failures in
    /// the last hour (fewer than ten) and more before it, and a task scheduled for later.
    /// </summary>
    public static SeedStore Healthy(string provider)
    {
        var now = SeedStore.Now;
        var store = new SeedStore(provider)
            .Heartbeat(AliveWorker, now)
            .Insert(now.AddHours(-3), Tasks("failed-earlier", "FAILURE", 12))
            .Insert(now.AddMinutes(-30), Tasks("done", "SUCCESS", 5))
            .Insert(now.AddMinutes(-20), Tasks("failed", "FAILURE", 9))
            .Insert(now.AddMinutes(-2), SeedStore.NewTask("running", "report.build", "STARTED", worker: AliveWorker))
            .Insert(now, SeedStore.NewTask("later", "report.build", "SCHEDULED", eta: now.AddHours(1)));
        return store;
    }

    /// <summary>
    /// A queue in trouble: its only worker went silent an hour ago with a task in hand, ten tasks failed in
    /// the last hour, a dispatcher claimed a scheduled task twenty minutes ago and never sent it, and another
    /// has been due for ten minutes with nobody dispatching it.
    /// </summary>
    public static SeedStore Unhealthy(string provider)
    {
        var now = SeedStore.Now;
        return new SeedStore(provider)
            .Heartbeat("celery@silent", now.AddHours(-1))
            .Insert(now.AddHours(-2), SeedStore.NewTask("aborted", "report.build", "STARTED", worker: "celery@silent"))
            .Insert(now.AddMinutes(-20), Tasks("failed", "FAILURE", 10))
            .Insert(now.AddMinutes(-30), SeedStore.NewTask("claimed", "report.build", "SCHEDULED", eta: now.AddMinutes(-30)))
            .ClaimDue(now.AddMinutes(-20))
            .Insert(now.AddMinutes(-10), SeedStore.NewTask("due", "report.build", "SCHEDULED", eta: now.AddMinutes(-10)));
    }

    /// <summary>
    /// Heartbeats of the healthy store's worker every ten seconds, as a live worker sends them, until disposed:
    /// a slow pwsh start on a busy machine must not make the worker look silent.
    /// </summary>
    public static IDisposable KeepWorkerAlive(SeedStore store) =>
        new Timer(_ => store.Heartbeat(AliveWorker, SeedStore.Now), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

    private static object[] Tasks(string prefix, string status, int count) =>
        Enumerable.Range(1, count).Select(i => SeedStore.NewTask($"{prefix}-{i}", "email.send", status)).ToArray();
}
