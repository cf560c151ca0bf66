using FullDbResult.Tasks;
using FullDbResult.Storage;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>The first page: counts by state, the per-minute chart, stale tasks, scheduled claims and due rows, and workers.</summary>
internal static class OverviewPage
{
    private const int Shown = 20;

    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var store = request.Store;
        var now = request.UtcNow;
        var since = now - request.Options.OverviewWindow;
        var hours = request.Options.OverviewWindow.TotalHours;
        var body = new Html();

        var counts = await store.CountByStatusAsync(since, request.Aborted);
        body.Raw($"<h2>Tasks by state, changed in the last {hours:0.#} h</h2><div class=\"cards\">");
        foreach (var (status, count) in counts)
            body.Raw($"<a class=\"card\" href=\"{request.Link("tasks?state=" + Uri.EscapeDataString(status))}\"><b class=\"{Html.E(status)}\">{Html.Number(count)}</b>{Html.E(status)}</a>");
        if (counts.Count == 0) body.Raw("<p class=\"note\">No tasks yet.</p>");
        body.Raw("</div>");

        body.Raw($"<h2>Per minute, last {hours:0.#} h</h2>").Raw(ActivityChart.Render(since, now,
            await store.GetActivityAsync(TaskStates.Success, since, request.Aborted),
            await store.GetActivityAsync(TaskStates.Failure, since, request.Aborted)));

        var stale = await store.GetStaleTasksAsync(new StaleTaskQuery { OlderThan = request.Options.StaleAfter, First = Shown }, request.Aborted).ToListAsync(request.Aborted);
        body.Raw($"<h2>Stale tasks (unchanged for {request.Options.StaleAfter.TotalMinutes:0} min, not terminal)</h2>");
        body.Raw(TaskTable.Render(request, stale, selectable: false, extra: ("its worker", t => ((StaleTask)t).PossiblyAborted ? "<span class=\"warn\">possibly aborted</span>" : "")));

        var due = await store.GetDueScheduledAsync(Shown, request.Aborted).ToListAsync(request.Aborted);
        var staleClaims = await store.GetStaleScheduledAsync(request.Options.StaleClaimAfter, Shown, request.Aborted).ToListAsync(request.Aborted);
        body.Raw($"<h2>Scheduled: overdue and stale claims</h2><p>{Html.Number(due.Count)}{(due.Count == Shown ? "+" : "")} due and not yet sent; " +
            $"<span class=\"{(staleClaims.Count > 0 ? "warn" : "")}\">{Html.Number(staleClaims.Count)}{(staleClaims.Count == Shown ? "+" : "")} claimed by a dispatcher more than {request.Options.StaleClaimAfter.TotalMinutes:0} min ago</span>. " +
            $"<a href=\"{request.Link("scheduled")}\">Scheduled tasks</a></p>");

        var workers = await new WorkerStore(store).GetWorkersAsync(request.Aborted);
        var alive = workers.Count(w => WorkersPage.StateOf(w, now, store.Options.HeartbeatTimeout) == WorkersPage.Alive);
        var silent = workers.Count(w => WorkersPage.StateOf(w, now, store.Options.HeartbeatTimeout) == WorkersPage.Silent);
        body.Raw($"<h2>Workers</h2><p>{alive} alive; <span class=\"{(silent > 0 ? "warn" : "")}\">{silent} possibly dead (no heartbeat for {store.Options.HeartbeatTimeout.TotalSeconds:0} s)</span>; " +
            $"{workers.Count - alive - silent} stopped. <a href=\"{request.Link("workers")}\">Workers</a></p>");
        return request.Page("Overview", body);
    }
}
