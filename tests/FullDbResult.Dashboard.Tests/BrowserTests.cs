using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.Playwright;
using Xunit;

namespace FullDbResult.Dashboard.Tests;

/// <summary>
/// Debian's chromium, driven by Playwright's bundled driver (no browser download), clicks through every page
/// and action against real PostgreSQL and RabbitMQ, and takes a screenshot of each (docs/dashboard/ holds them: see ScreenshotDirectory).
/// </summary>
public class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Every_page_and_action_works_in_a_real_browser()
    {
        await using var app = await DashboardApp.StartAsync();
        await SeedAsync(app.Store);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var shots = ScreenshotDirectory();

        // Overview: counts, chart, stale tasks, scheduled and workers.
        await page.GotoAsync(app.BaseUrl.ToString());
        await Expect(page.Locator("h1"), "Overview");
        Assert.Equal(1, await page.Locator("svg[role=img]").CountAsync());
        Assert.Contains("possibly dead", await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "overview.png"), FullPage = true });

        // Tasks, filtered by state through the form, then one task.
        await page.ClickAsync("nav >> text=Tasks");
        await page.SelectOptionAsync("select[name=state]", TaskStates.Failure);
        await page.FillAsync("input[name=name]", "email.*");
        await page.ClickAsync("button:text('Filter')");
        Assert.Contains("state=FAILURE", page.Url);
        Assert.Equal(3, await page.Locator("table.tasks tbody tr").CountAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "tasks.png"), FullPage = true });
        await page.ClickAsync("a:text('failed-1')");
        await Expect(page.Locator("h1"), "Task email.send");
        Assert.Contains("ValueError: bad address", await page.Locator("table.fields").InnerTextAsync());
        Assert.Contains("child-1", await page.Locator("table.lineage").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "task.png"), FullPage = true });

        // Retry from the task page: confirm, then the outcome links the new task.
        await page.ClickAsync("button:text('Retry…')");
        await Expect(page.Locator("h1"), "Confirm: Retry (send again under a new id)");
        await page.ClickAsync("#confirm");
        Assert.Contains("retried as", await page.Locator("td.outcome").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "retry-done.png"), FullPage = true });
        var retriedAs = (await app.Store.GetAsync("failed-1"))!.RetriedAs;
        Assert.NotNull(retriedAs);

        // Retry of several selected tasks from the listing.
        await page.GotoAsync(app.BaseUrl + "tasks?state=FAILURE&name=email.*");
        await page.CheckAsync("input[value=failed-2]");
        await page.CheckAsync("input[value=failed-3]");
        await page.ClickAsync("button:text('Retry selected…')");
        await page.ClickAsync("#confirm");
        Assert.Equal(2, await page.Locator("td.outcome:has-text('retried as')").CountAsync());

        // Scheduled: revoke a waiting task, release a stale claim.
        await page.ClickAsync("nav >> text=Scheduled");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "scheduled.png"), FullPage = true });
        await page.CheckAsync("input[value=later-1]");
        await page.Locator("button:text('Revoke selected…')").Last.ClickAsync();
        await page.ClickAsync("#confirm");
        Assert.Contains("revoked", await page.Locator("td.outcome").InnerTextAsync());
        Assert.Equal(TaskStates.Revoked, (await app.Store.GetAsync("later-1"))!.Status);
        await page.ClickAsync("nav >> text=Scheduled");
        await page.ClickAsync("button:text('Release…')");
        await page.ClickAsync("#confirm");
        Assert.Contains("released", await page.Locator("td.outcome").InnerTextAsync());
        Assert.Null((await app.Store.GetAsync("claimed-1"))!.ScheduledId);

        // Periodic: run now, then disable.
        await page.ClickAsync("nav >> text=Periodic");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "periodic.png"), FullPage = true });
        await page.ClickAsync("button:text('Run now…')");
        await page.ClickAsync("#confirm");
        Assert.Contains("sent as", await page.Locator("td.outcome").InnerTextAsync());
        await page.ClickAsync("nav >> text=Periodic");
        await page.ClickAsync("button:text('Disable…')");
        await page.ClickAsync("#confirm");
        Assert.Contains("disabled", await page.Locator("td.outcome").InnerTextAsync());
        var periodic = await new PeriodicTaskStore(app.Store).GetAsync("nightly-report");
        Assert.False(periodic!.Enabled);
        Assert.Equal(1, periodic.RunCount);

        // Workers.
        await page.ClickAsync("nav >> text=Workers");
        Assert.Contains("worker-1@host", await page.Locator("table.workers").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "workers.png"), FullPage = true });
    }

    private static async Task Expect(ILocator locator, string text) => Assert.Equal(text, (await locator.InnerTextAsync()).Trim());

    /// <summary>Three hours of finished and failed tasks (for the chart), lineage, scheduled rows, a periodic task, two workers.</summary>
    private static async Task SeedAsync(TaskStore store)
    {
        var now = DateTime.UtcNow;
        var clock = new SettableClock();
        var past = new TaskStore(store.Connection, new TaskStoreOptions { Clock = clock });
        for (var minute = 180; minute > 0; minute--)
        {
            clock.Now = now.AddMinutes(-minute);
            var count = 5 + (int)(10 * (1 + Math.Sin(minute / 20.0)));
            var ids = Enumerable.Range(0, count).Select(i => $"m{minute}-{i}").ToList();
            await past.InsertManyAsync(ids.Select(id => SeedData.Task(id, "report.build")).ToList());
            await past.ApplyStateChangesAsync(ids.Select((id, i) => new TaskStateChange
            { TaskId = id, Status = i % 7 == 0 ? TaskStates.Failure : TaskStates.Success, Worker = "worker-1@host", Result = "42" }).ToList());
        }
        clock.Now = now.AddHours(-2);
        await past.InsertAsync(SeedData.Task("stuck-1", "email.send"));
        await past.ApplyStateChangeAsync(new TaskStateChange { TaskId = "stuck-1", Status = TaskStates.Started, Worker = "worker-2@host" });

        foreach (var id in new[] { "failed-1", "failed-2", "failed-3" }) await SeedData.FailedAsync(store, id);
        var child = SeedData.Task("child-1", "email.render");
        child.ParentId = "failed-1";
        child.RootId = "failed-1";
        await store.InsertAsync(child);

        await SeedData.ScheduledAsync(store, "later-1", now.AddHours(1));
        await SeedData.ScheduledAsync(store, "due-1", now.AddMinutes(-1));
        // Due two hours ago when a dispatcher claimed it and stopped: a stale claim.
        await SeedData.ScheduledAsync(store, "claimed-1", now.AddHours(-3));
        Assert.Single(await past.ClaimDueScheduledAsync(10, "dispatcher-crashed"));
        await SeedData.PeriodicAsync(store, "nightly-report");

        var workers = new WorkerStore(store);
        await workers.RecordHeartbeatAsync(new WorkerHeartbeat
        { WorkerName = "worker-1@host", Hostname = "host", Pid = 101, Queues = "celery,dashboard-tests", StartedAt = now.AddHours(-4), LastHeartbeat = now });
        await workers.RecordHeartbeatAsync(new WorkerHeartbeat
        { WorkerName = "worker-2@host", Hostname = "host", Pid = 102, Queues = "celery", StartedAt = now.AddHours(-4), LastHeartbeat = now.AddHours(-2) });
    }

    /// <summary>
    /// The test's output folder, so that a test run leaves the checkout as it was; docs/dashboard/ of the
    /// repository when FULLDBRESULT_UPDATE_SCREENSHOTS=1 (how the screenshots in docs/ are made).
    /// </summary>
    private static string ScreenshotDirectory()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots");
        if (Environment.GetEnvironmentVariable("FULLDBRESULT_UPDATE_SCREENSHOTS") == "1")
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FullDbResult.sln"))) dir = dir.Parent;
            path = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("No FullDbResult.sln above the test directory."), "docs", "dashboard");
        }
        Directory.CreateDirectory(path);
        return path;
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTime Now { get; set; } = DateTime.UtcNow;
        public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
    }
}
