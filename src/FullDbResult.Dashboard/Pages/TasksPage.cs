using System.Globalization;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>
/// The task listing: filters by state, name, queue, worker, time range, group and root id, newest or oldest
/// first, one page at a time by keyset ("after" is the last row's change time and row id), so a later page costs
/// what the first does.
/// </summary>
internal static class TasksPage
{
    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var q = request.Context.Request.Query;
        string? Field(string name) => string.IsNullOrWhiteSpace(q[name]) ? null : q[name].ToString().Trim();
        var errors = new List<string>();
        var query = new TaskQuery
        {
            Name = Field("name"),
            Statuses = Field("state") is { } state ? [state] : null,
            Queue = Field("queue"),
            Worker = Field("worker"),
            GroupId = Field("group"),
            RootId = Field("root"),
            Since = ParseTime(Field("since"), "since", errors),
            Until = ParseTime(Field("until"), "until", errors),
            OldestFirst = Field("order") == "oldest",
            After = ParseCursor(Field("after"), errors),
            First = request.Options.PageSize + 1,
        };

        var body = new Html().Raw(FilterForm(request, query));
        if (errors.Count > 0)
        {
            body.Raw($"<p class=\"error\">{Html.E(string.Join(" ", errors))}</p>");
            return request.Page("Tasks", body, StatusCodes.Status400BadRequest);
        }

        var rows = await request.Store.QueryAsync(query, request.Aborted).ToListAsync(request.Aborted);
        var more = rows.Count > request.Options.PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);

        body.Raw($"<form method=\"post\" action=\"{request.Link("actions/confirm")}\">").Raw(request.AntiforgeryField())
            .Raw(TaskTable.Render(request, rows, selectable: request.MayAct));
        if (request.MayAct && rows.Count > 0)
            body.Raw("<p><button type=\"submit\" name=\"do\" value=\"retry\">Retry selected…</button> ")
                .Raw("<button type=\"submit\" name=\"do\" value=\"revoke\">Revoke selected (scheduled)…</button></p>");
        body.Raw("</form>");
        if (more)
        {
            var next = QueryString.Create(q.Where(p => p.Key != "after").Select(p => KeyValuePair.Create(p.Key, p.Value.ToString()))
                .Append(KeyValuePair.Create("after", Cursor(TaskCursor.From(rows[^1])))).Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)));
            body.Raw($"<p><a id=\"next\" href=\"{request.Link("tasks" + next)}\">Next page →</a></p>");
        }
        return request.Page("Tasks", body);
    }

    private static string FilterForm(DashboardRequest request, TaskQuery query)
    {
        var q = request.Context.Request.Query;
        string Input(string name, string label, string type = "text") =>
            $"<label>{label} <input type=\"{type}\" name=\"{name}\" value=\"{Html.E(q[name])}\" size=\"14\"></label>";
        var states = string.Join("", TaskStates.All.Prepend("").Select(s =>
            $"<option value=\"{Html.E(s)}\"{(query.Statuses?.Contains(s) == true ? " selected" : "")}>{(s == "" ? "any" : Html.E(s))}</option>"));
        return $"""
            <form method="get" class="filters" action="{request.Link("tasks")}">
            <label>State <select name="state">{states}</select></label>
            {Input("name", "Name (* ?)")}{Input("queue", "Queue")}{Input("worker", "Worker")}{Input("group", "Group id")}{Input("root", "Root id")}
            {Input("since", "Changed from", "datetime-local")}{Input("until", "to", "datetime-local")}
            <label>Order <select name="order"><option value="newest">newest first</option><option value="oldest"{(query.OldestFirst ? " selected" : "")}>oldest first</option></select></label>
            <button type="submit">Filter</button> <a href="{request.Link("tasks")}">clear</a>
            </form>
            """;
    }

    private static DateTime? ParseTime(string? text, string field, List<string> errors)
    {
        if (text is null) return null;
        if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time;
        errors.Add($"'{text}' in {field} is not a time (use yyyy-MM-ddTHH:mm, UTC).");
        return null;
    }

    internal static string Cursor(TaskCursor cursor) =>
        $"{cursor.DateUpdated.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture)}-{cursor.Id.ToString(CultureInfo.InvariantCulture)}";

    private static TaskCursor? ParseCursor(string? text, List<string> errors)
    {
        if (text is null) return null;
        var parts = text.Split('-');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTime.MaxValue.Ticks && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return new TaskCursor(new DateTime(ticks, DateTimeKind.Utc), id);
        errors.Add($"'{text}' is not a page position.");
        return null;
    }
}
