using FullDbResult.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FullDbResult.Dashboard.Pages;

/// <summary>What every page needs: the request, the options, the stores, links under the dashboard's path, and the layout.</summary>
internal sealed class DashboardRequest(HttpContext context, DashboardOptions options, string prefix)
{
    public HttpContext Context { get; } = context;
    public DashboardOptions Options { get; } = options;
    public TaskStore Store { get; } = context.RequestServices.GetRequiredService<TaskStore>();
    public CancellationToken Aborted => Context.RequestAborted;
    public DateTime UtcNow => Store.Options.Clock.GetUtcNow().UtcDateTime;
    public bool MayAct => DashboardAccess.MayAct(Context, Options);

    /// <summary>A link to <paramref name="path"/> under the dashboard ("" is the overview).</summary>
    public string Link(string path) => Html.E($"{Context.Request.PathBase}{prefix}/{path}");

    public string TaskLink(string? taskId) =>
        taskId is null ? "" : $"<a href=\"{Link("tasks/" + Uri.EscapeDataString(taskId))}\">{Html.E(taskId)}</a>";

    /// <summary>A POST form for an action: the antiforgery token, the fields, and one button.</summary>
    public string ActionForm(string action, string button, params (string Name, string Value)[] fields)
    {
        if (!MayAct) return "";
        var html = new Html().Raw($"<form method=\"post\" action=\"{Link("actions/" + action)}\" class=\"inline\">").Raw(AntiforgeryField());
        foreach (var (name, value) in fields) html.Raw($"<input type=\"hidden\" name=\"{Html.E(name)}\" value=\"{Html.E(value)}\">");
        return html.Raw($"<button type=\"submit\">{Html.E(button)}</button></form>").ToString();
    }

    public string AntiforgeryField()
    {
        var tokens = Context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(Context);
        return $"<input type=\"hidden\" name=\"{Html.E(tokens.FormFieldName)}\" value=\"{Html.E(tokens.RequestToken)}\">";
    }

    public IResult Page(string title, Html body, int status = StatusCodes.Status200OK)
    {
        var nav = string.Join(" ", new[] { ("", "Overview"), ("tasks", "Tasks"), ("scheduled", "Scheduled"), ("periodic", "Periodic"), ("workers", "Workers") }
            .Select(n => $"<a href=\"{Link(n.Item1)}\">{n.Item2}</a>"));
        var who = Context.User.Identity?.IsAuthenticated == true
            ? $"{Html.E(Context.User.Identity.Name)}{(MayAct ? "" : " (read-only)")}"
            : "local";
        var page = $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Html.E(title)} · FullDbResult</title><style>{Style}</style></head>
            <body><header><strong>FullDbResult</strong> <nav>{nav}</nav><span class="who">{who}</span></header>
            <main><h1>{Html.E(title)}</h1>
            {body}
            </main><footer>Times are UTC. Rendered {Html.Time(UtcNow)}.</footer></body></html>
            """;
        Context.Response.Headers.CacheControl = "no-store";
        return Results.Content(page, "text/html; charset=utf-8", statusCode: status);
    }

    private const string Style = """
        body{font:14px system-ui,sans-serif;margin:0;color:#222}header{background:#243447;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
        header a{color:#cfe3ff;margin-right:12px;text-decoration:none}header a:hover{text-decoration:underline}.who{margin-left:auto;color:#ccc}
        main{padding:8px 16px}table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f3f5f8}pre{background:#f6f6f6;padding:6px;max-width:1100px;overflow:auto;white-space:pre-wrap;margin:0}
        .inline{display:inline}.SUCCESS{color:#17693a}.FAILURE{color:#b3261e}.STARTED,.RECEIVED{color:#8a5a00}.REVOKED{color:#666}
        .warn{color:#b3261e;font-weight:bold}.note{color:#666}form.filters input,form.filters select{margin-right:8px}
        .cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:110px}
        .card b{display:block;font-size:20px}footer{color:#888;padding:8px 16px;font-size:12px}.error{background:#fde8e6;padding:8px;border:1px solid #b3261e}
        """;
}
