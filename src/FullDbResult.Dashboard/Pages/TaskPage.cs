using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>One task: every field, its lineage as links, the states its row records, and the actions that apply to it.</summary>
internal static class TaskPage
{
    private const int ChildrenShown = 100;

    public static async Task<IResult> RenderAsync(DashboardRequest request, string taskId)
    {
        var task = await request.Store.GetAsync(taskId, request.Aborted);
        if (task is null)
            return request.Page("Task not found", new Html().Raw($"<p class=\"error\">No task has the id {Html.E(taskId)}.</p>"), StatusCodes.Status404NotFound);

        var body = new Html().Raw(Actions(request, task));
        body.Raw("<table class=\"fields\">");
        void Row(string name, string valueHtml) => body.Raw($"<tr><th>{name}</th><td>{valueHtml}</td></tr>");
        Row("Task id", Html.E(task.TaskId));
        Row("Name", Html.E(task.TaskName));
        Row("State", $"<span class=\"{Html.E(task.Status)}\">{Html.E(task.Status)}</span>");
        Row("Args", $"<pre>{Html.E(task.Args)}</pre>");
        Row("Kwargs", $"<pre>{Html.E(task.Kwargs)}</pre>");
        Row("Result", $"<pre>{Html.E(task.Result)}</pre>");
        Row("Traceback", $"<pre>{Html.E(task.Traceback)}</pre>");
        Row("Exchange", Html.E(task.Exchange));
        Row("Routing key", Html.E(task.RoutingKey));
        Row("Queue", Html.E(task.Queue));
        Row("Priority", Html.E(task.Priority?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Row("ETA", Html.Time(task.Eta));
        Row("Expires", Html.Time(task.Expires));
        Row("Retries", task.Retries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("Worker", task.Worker is null ? "" : $"<a href=\"{request.Link("tasks?worker=" + Uri.EscapeDataString(task.Worker))}\">{Html.E(task.Worker)}</a>");
        Row("Dispatcher claim", $"{Html.E(task.ScheduledId)} {Html.Time(task.ClaimedAt)}");
        Row("Meta", $"<pre>{Html.E(task.Meta)}</pre>");
        body.Raw("</table>");

        body.Raw("<h2>Lineage</h2><table class=\"lineage\">");
        Row("Parent", request.TaskLink(task.ParentId));
        Row("Root", task.RootId is null ? "" : $"{request.TaskLink(task.RootId)} (<a href=\"{request.Link("tasks?root=" + Uri.EscapeDataString(task.RootId))}\">all of this root</a>)");
        Row("Group", task.GroupId is null ? "" : $"<a href=\"{request.Link("tasks?group=" + Uri.EscapeDataString(task.GroupId))}\">{Html.E(task.GroupId)}</a>");
        Row("Retried from", request.TaskLink(task.RetriedFrom));
        Row("Retried as", request.TaskLink(task.RetriedAs));
        // A child carries its parent's root, so the root index finds the children; a root task may leave its own root_id empty.
        var children = await request.Store.QueryAsync(new TaskQuery { RootId = task.RootId ?? task.TaskId, ParentId = task.TaskId, First = ChildrenShown }, request.Aborted)
            .ToListAsync(request.Aborted);
        Row("Children", children.Count == 0 ? "<span class=\"note\">none</span>" : string.Join(", ", children.Select(c => $"{request.TaskLink(c.TaskId)} {Html.E(c.TaskName)} <span class=\"{Html.E(c.Status)}\">{Html.E(c.Status)}</span>")));
        body.Raw("</table>");

        body.Raw("<h2>History</h2><p class=\"note\">What the row records: one row a task keeps its times, not every state it passed through.</p><table class=\"history\"><tr><th>When</th><th>What</th></tr>");
        foreach (var (time, what) in History(task).OrderBy(h => h.Time))
            body.Raw($"<tr><td>{Html.Time(time)}</td><td>{what}</td></tr>");
        body.Raw("</table>");
        return request.Page($"Task {task.TaskName}", body);

        IEnumerable<(DateTime Time, string What)> History(TaskRecord t)
        {
            yield return (t.DateSubmitted, t.RetriedFrom is null ? "submitted" : $"submitted as the retry of {request.TaskLink(t.RetriedFrom)}");
            if (t.ClaimedAt is { } claimed) yield return (claimed, $"claimed by dispatcher {Html.E(t.ScheduledId)}");
            if (t.DateStarted is { } started) yield return (started, $"started on {Html.E(t.Worker)}");
            if (t.DateDone is { } done) yield return (done, $"finished: <span class=\"{Html.E(t.Status)}\">{Html.E(t.Status)}</span>");
            yield return (t.DateUpdated, $"last change: <span class=\"{Html.E(t.Status)}\">{Html.E(t.Status)}</span>{(t.RetriedAs is null ? "" : $", retried as {request.TaskLink(t.RetriedAs)}")}");
        }
    }

    private static string Actions(DashboardRequest request, TaskRecord task)
    {
        var forms = new List<string> { request.ActionForm("confirm", "Retry…", ("do", "retry"), ("id", task.TaskId)) };
        if (task.Status == TaskStates.Scheduled && task.ScheduledId is null)
            forms.Add(request.ActionForm("confirm", "Revoke…", ("do", "revoke"), ("id", task.TaskId)));
        if (task.Status == TaskStates.Scheduled && task.ScheduledId is { } claim)
            forms.Add(request.ActionForm("confirm", "Release the dispatcher's claim…", ("do", "release"), ("id", task.TaskId), ("claim", claim)));
        return $"<p>{string.Join(" ", forms)}</p>";
    }
}
