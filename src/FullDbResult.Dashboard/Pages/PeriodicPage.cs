using FullDbResult.Scheduling;
using FullDbResult.Storage;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>Periodic tasks: schedule, last and next run, enabled; trigger now, enable, disable.</summary>
internal static class PeriodicPage
{
    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var tasks = await new PeriodicTaskStore(request.Store).ListAsync(cancellationToken: request.Aborted);
        var body = new Html();
        if (tasks.Count == 0) return request.Page("Periodic tasks", body.Raw("<p class=\"note\">No periodic tasks (Add-PeriodicTask defines them).</p>"));
        body.Raw("<table class=\"periodic\"><thead><tr><th>Name</th><th>Task</th><th>Schedule</th><th>Enabled</th><th>Last run</th><th>Runs</th><th>Last task</th><th>Next run</th><th>Queue</th><th></th></tr></thead><tbody>");
        foreach (var p in tasks)
        {
            var schedule = p.CronExpression is { } cron ? $"cron {Html.E(cron)} {Html.E(p.TimeZone ?? "UTC")}" : $"every {p.IntervalSeconds} s";
            string next;
            try
            {
                next = p.Enabled ? Html.Time(PeriodicSchedule.For(p).NextRun(p)) : "<span class=\"note\">disabled</span>";
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                next = $"<span class=\"warn\">{Html.E(ex.Message)}</span>";
            }
            var actions = request.ActionForm("confirm", "Run now…", ("do", "trigger"), ("name", p.Name)) + " " +
                request.ActionForm("confirm", p.Enabled ? "Disable…" : "Enable…", ("do", p.Enabled ? "disable" : "enable"), ("name", p.Name));
            body.Raw($"<tr><td>{Html.E(p.Name)}</td><td>{Html.E(p.TaskName)}</td><td>{schedule}</td><td>{(p.Enabled ? "yes" : "no")}</td>")
                .Raw($"<td>{Html.Time(p.LastRunAt)}</td><td>{Html.Number(p.RunCount)}</td><td>{request.TaskLink(p.LastTaskId)}</td><td>{next}</td>")
                .Raw($"<td>{Html.E(p.Queue ?? p.RoutingKey)}</td><td>{actions}</td></tr>");
        }
        return request.Page("Periodic tasks", body.Raw("</tbody></table>"));
    }
}
