using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FullDbResult.Dashboard.Pages;

/// <summary>
/// The actions, each a POST that carries an antiforgery token: "confirm" shows what would be done and asks,
/// the action itself does it through the library (as the cmdlets do) and shows the outcome for each task or
/// periodic task. Each outcome is logged with the user's name.
/// </summary>
internal static class ActionsPage
{
    private static readonly Dictionary<string, string> Verbs = new()
    {
        ["retry"] = "Retry (send again under a new id)",
        ["revoke"] = "Revoke (a SCHEDULED task is never sent)",
        ["release"] = "Release the dispatcher's claim (the next pass sends the task)",
        ["trigger"] = "Run the periodic task now",
        ["enable"] = "Enable the periodic task",
        ["disable"] = "Disable the periodic task",
    };

    private const int MaxTargets = 500;

    public static async Task<IResult> HandleAsync(DashboardRequest request, string action)
    {
        var context = request.Context;
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Text("The form's antiforgery token is missing or invalid: reload the page and try again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }
        var form = await context.Request.ReadFormAsync(request.Aborted);
        var doing = action == "confirm" ? form["do"].ToString() : action;
        if (!Verbs.TryGetValue(doing, out var verb))
            return request.Page("Unknown action", new Html().Raw($"<p class=\"error\">There is no action '{Html.E(doing)}'.</p>"), StatusCodes.Status400BadRequest);
        var targets = (doing is "trigger" or "enable" or "disable" ? form["name"] : form["id"])
            .Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (targets.Count == 0)
            return request.Page(verb, new Html().Raw("<p class=\"error\">Nothing was selected.</p>"), StatusCodes.Status400BadRequest);
        if (targets.Count > MaxTargets)
            return request.Page(verb, new Html().Raw($"<p class=\"error\">At most {MaxTargets} at once.</p>"), StatusCodes.Status400BadRequest);
        var claim = form["claim"].ToString();

        return action == "confirm" ? Confirm(request, doing, verb, targets, claim) : await RunAsync(request, doing, verb, targets, claim);
    }

    private static IResult Confirm(DashboardRequest request, string action, string verb, IReadOnlyList<string> targets, string claim)
    {
        var body = new Html().Raw($"<p>{Html.E(verb)}: {targets.Count} {(action is "trigger" or "enable" or "disable" ? "periodic task(s)" : "task(s)")}.</p><ul>");
        foreach (var target in targets) body.Raw($"<li>{(action is "trigger" or "enable" or "disable" ? Html.E(target) : request.TaskLink(target))}</li>");
        body.Raw($"</ul><form method=\"post\" action=\"{request.Link("actions/" + action)}\">{request.AntiforgeryField()}");
        var field = action is "trigger" or "enable" or "disable" ? "name" : "id";
        foreach (var target in targets) body.Raw($"<input type=\"hidden\" name=\"{field}\" value=\"{Html.E(target)}\">");
        if (claim.Length > 0) body.Raw($"<input type=\"hidden\" name=\"claim\" value=\"{Html.E(claim)}\">");
        body.Raw("<button type=\"submit\" id=\"confirm\">Confirm</button> <a href=\"javascript:history.back()\">Cancel</a></form>");
        return request.Page("Confirm: " + verb, body);
    }

    private static async Task<IResult> RunAsync(DashboardRequest request, string action, string verb, IReadOnlyList<string> targets, string claim)
    {
        var services = request.Context.RequestServices;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("FullDbResult.Dashboard") ?? NullLogger.Instance;
        var user = request.Context.User.Identity?.IsAuthenticated == true ? request.Context.User.Identity.Name : $"local ({request.Context.Connection.RemoteIpAddress})";
        var body = new Html().Raw("<table class=\"outcomes\"><thead><tr><th>Target</th><th>Outcome</th></tr></thead><tbody>");
        foreach (var target in targets)
        {
            string outcome;
            try
            {
                outcome = await RunOneAsync(request, action, target, claim);
            }
            catch (Exception ex) when (ex is TaskPublishException or TaskStoreException or InvalidOperationException or PeriodicTaskNotFoundException)
            {
                outcome = $"<span class=\"warn\">failed: {Html.E(ex.Message)}</span>";
            }
            logger.LogInformation("Dashboard: {User} {Action} {Target}: {Outcome}", user, action, target, StripTags(outcome));
            var shown = action is "trigger" or "enable" or "disable" ? Html.E(target) : request.TaskLink(target);
            body.Raw($"<tr><td>{shown}</td><td class=\"outcome\">{outcome}</td></tr>");
        }
        return request.Page("Done: " + verb, body.Raw("</tbody></table>"));
    }

    private static async Task<string> RunOneAsync(DashboardRequest request, string action, string target, string claim)
    {
        var store = request.Store;
        var token = request.Aborted;
        switch (action)
        {
            case "retry":
                // As Invoke-TaskRetry: a claimed SCHEDULED row is its dispatcher's; release it first instead.
                if (await store.GetAsync(target, token) is { Status: TaskStates.Scheduled, ScheduledId: { } held })
                    return $"<span class=\"warn\">not retried: dispatcher claim {Html.E(held)} holds it; release the claim instead</span>";
                var retry = await new TaskClient(store, Publisher(request)).RetryAsync(target, cancellationToken: token);
                return retry.Claim switch
                {
                    RetryClaim.Claimed => $"retried as {request.TaskLink(retry.NewTask!.TaskId)}",
                    RetryClaim.AlreadyRetried => $"<span class=\"warn\">not retried: already retried as {request.TaskLink((await store.GetAsync(target, token))?.RetriedAs)}</span>",
                    RetryClaim.ClaimedByDispatcher => "<span class=\"warn\">not retried: a dispatcher claimed it meanwhile</span>",
                    _ => "<span class=\"warn\">not found</span>",
                };
            case "revoke":
                if (await store.CancelScheduledAsync(target, token)) return "revoked: it will not be sent";
                return await store.GetAsync(target, token) is { } task
                    ? $"<span class=\"warn\">not revoked: it is {Html.E(task.Status)}{(task.ScheduledId is null ? "" : ", claimed by a dispatcher")}; only an unclaimed SCHEDULED task can be</span>"
                    : "<span class=\"warn\">not found</span>";
            case "release":
                var current = claim.Length > 0 ? claim : (await store.GetAsync(target, token))?.ScheduledId;
                if (current is not null && await store.ReleaseScheduledClaimAsync(target, current, token))
                    return $"claim {Html.E(current)} released: the next dispatch pass sends it";
                return await store.GetAsync(target, token) is { } now
                    ? $"<span class=\"warn\">not released: it is {Html.E(now.Status)}{(now.ScheduledId is null ? " and unclaimed" : $", claimed by {Html.E(now.ScheduledId)}")}</span>"
                    : "<span class=\"warn\">not found</span>";
            case "trigger":
                var periodic = request.Context.RequestServices.GetService<PeriodicTaskStore>() ?? new PeriodicTaskStore(store);
                var sent = await new PeriodicScheduler(periodic, Publisher(request)).TriggerNowAsync(target, token);
                return $"sent as {request.TaskLink(sent)}";
            case "enable":
            case "disable":
                var periodicTasks = request.Context.RequestServices.GetService<PeriodicTaskStore>() ?? new PeriodicTaskStore(store);
                var changed = action == "enable" ? await periodicTasks.EnableAsync(target, token) : await periodicTasks.DisableAsync(target, token);
                return changed ? $"{action}d" : "<span class=\"warn\">not found</span>";
            default:
                throw new InvalidOperationException($"Unknown action '{action}'.");
        }
    }

    private static ITaskPublisher Publisher(DashboardRequest request) =>
        request.Context.RequestServices.GetService<ITaskPublisher>()
        ?? throw new InvalidOperationException("This application registers no ITaskPublisher, so the dashboard cannot send tasks.");

    private static string StripTags(string html) => System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", "");
}
