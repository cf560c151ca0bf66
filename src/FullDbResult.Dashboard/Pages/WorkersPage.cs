using FullDbResult.Storage;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard.Pages;

/// <summary>Workers from their heartbeat rows: alive, possibly dead (silent past the heartbeat timeout) or stopped, and what each runs now.</summary>
internal static class WorkersPage
{
    public const string Alive = "alive", Silent = "possibly dead", Stopped = "stopped";

    public static string StateOf(WorkerHeartbeat worker, DateTime now, TimeSpan timeout) =>
        worker.StoppedAt is not null ? Stopped : now - worker.LastHeartbeat > timeout ? Silent : Alive;

    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var store = request.Store;
        var workers = await new WorkerStore(store).GetWorkersAsync(request.Aborted);
        var running = await store.CountByWorkerAsync(TaskStates.Started, request.Aborted);
        var body = new Html();
        if (workers.Count == 0) return request.Page("Workers", body.Raw("<p class=\"note\">No worker has written a heartbeat.</p>"));
        body.Raw("<table class=\"workers\"><thead><tr><th>Worker</th><th>State</th><th>Host</th><th>Pid</th><th>Queues</th><th>Started</th><th>Last heartbeat</th><th>Stopped</th><th>Running now</th></tr></thead><tbody>");
        foreach (var w in workers)
        {
            var state = StateOf(w, request.UtcNow, store.Options.HeartbeatTimeout);
            var started = running.GetValueOrDefault(w.WorkerName);
            body.Raw($"<tr><td>{Html.E(w.WorkerName)}</td><td class=\"{(state == Silent ? "warn" : "")}\">{state}</td><td>{Html.E(w.Hostname)}</td><td>{w.Pid}</td>")
                .Raw($"<td>{Html.E(w.Queues)}</td><td>{Html.Time(w.StartedAt)}</td><td>{Html.Time(w.LastHeartbeat)}</td><td>{Html.Time(w.StoppedAt)}</td>")
                .Raw($"<td><a href=\"{request.Link($"tasks?worker={Uri.EscapeDataString(w.WorkerName)}&state={TaskStates.Started}")}\">{Html.Number(started)} started</a></td></tr>");
        }
        return request.Page("Workers", body.Raw("</tbody></table>"));
    }
}
