using FullDbResult.Tasks;

namespace FullDbResult.Dashboard.Pages;

/// <summary>The one table of tasks every page uses; with <c>selectable</c>, a checkbox per row named "id" for the actions.</summary>
internal static class TaskTable
{
    public static string Render(DashboardRequest request, IReadOnlyList<TaskRecord> tasks, bool selectable,
        (string Header, Func<TaskRecord, string> Cell)? extra = null)
    {
        if (tasks.Count == 0) return "<p class=\"note\">None.</p>";
        var html = new Html().Raw("<table class=\"tasks\"><thead><tr>");
        if (selectable) html.Raw("<th></th>");
        html.Raw("<th>Task id</th><th>Name</th><th>State</th><th>Queue</th><th>Worker</th><th>Retries</th><th>ETA</th><th>Submitted</th><th>Last change</th>");
        if (extra is { } e) html.Raw($"<th>{Html.E(e.Header)}</th>");
        html.Raw("</tr></thead><tbody>");
        foreach (var t in tasks)
        {
            html.Raw("<tr>");
            if (selectable) html.Raw($"<td><input type=\"checkbox\" name=\"id\" value=\"{Html.E(t.TaskId)}\" aria-label=\"select {Html.E(t.TaskId)}\"></td>");
            html.Raw($"<td>{request.TaskLink(t.TaskId)}</td><td>{Html.E(t.TaskName)}</td><td class=\"{Html.E(t.Status)}\">{Html.E(t.Status)}</td>")
                .Raw($"<td>{Html.E(t.Queue ?? t.RoutingKey)}</td><td>{Html.E(t.Worker)}</td><td>{t.Retries}</td><td>{Html.Time(t.Eta)}</td>")
                .Raw($"<td>{Html.Time(t.DateSubmitted)}</td><td>{Html.Time(t.DateUpdated)}</td>");
            if (extra is { } x) html.Raw($"<td>{x.Cell(t)}</td>");
            html.Raw("</tr>");
        }
        return html.Raw("</tbody></table>").ToString();
    }
}
