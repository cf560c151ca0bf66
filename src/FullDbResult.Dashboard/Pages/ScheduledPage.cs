using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>Scheduled tasks: due and unsent, claimed by a dispatcher (stale claims marked), and waiting for their ETA.</summary>
internal static class ScheduledPage
{
    private const int Shown = 50;

    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var store = request.Store;
        var now = request.UtcNow;
        var due = await store.GetDueScheduledAsync(Shown, request.Aborted).ToListAsync(request.Aborted);
        var claimed = await store.GetStaleScheduledAsync(TimeSpan.Zero, Shown, request.Aborted).ToListAsync(request.Aborted);
        var waiting = (await store.QueryAsync(new TaskQuery { Statuses = [TaskStates.Scheduled], First = Shown }, request.Aborted).ToListAsync(request.Aborted))
            .Where(t => t.ScheduledId is null && t.Eta > now).ToList();

        var body = new Html();
        body.Raw($"<h2>Due and not yet sent ({Html.Number(due.Count)}{(due.Count == Shown ? "+" : "")})</h2><p class=\"note\">The next dispatch pass sends these, soonest ETA first.</p>")
            .Raw(Selectable(request, due, ("revoke", "Revoke selected…")));
        body.Raw($"<h2>Claimed by a dispatcher ({Html.Number(claimed.Count)}{(claimed.Count == Shown ? "+" : "")})</h2>")
            .Raw($"<p class=\"note\">A claim older than {request.Options.StaleClaimAfter.TotalMinutes:0} min means its dispatcher stopped between claim and send; releasing it lets the next pass send the task once.</p>")
            .Raw(TaskTable.Render(request, claimed, selectable: false, extra: ("claim", t =>
            {
                var stale = now - t.ClaimedAt > request.Options.StaleClaimAfter;
                return $"<span class=\"{(stale ? "warn" : "")}\">{Html.E(t.ScheduledId)} at {Html.Time(t.ClaimedAt)}</span> " +
                    request.ActionForm("confirm", "Release…", ("do", "release"), ("id", t.TaskId), ("claim", t.ScheduledId!));
            })));
        body.Raw($"<h2>Waiting for their ETA (latest changes, {Html.Number(waiting.Count)} shown)</h2>")
            .Raw(Selectable(request, waiting, ("revoke", "Revoke selected…")));
        return request.Page("Scheduled tasks", body);
    }

    private static string Selectable(DashboardRequest request, IReadOnlyList<TaskRecord> tasks, (string Action, string Label) action)
    {
        if (!request.MayAct || tasks.Count == 0) return TaskTable.Render(request, tasks, selectable: false);
        return $"<form method=\"post\" action=\"{request.Link("actions/confirm")}\">{request.AntiforgeryField()}{TaskTable.Render(request, tasks, selectable: true)}" +
            $"<p><button type=\"submit\" name=\"do\" value=\"{action.Action}\">{Html.E(action.Label)}</button></p></form>";
    }
}
