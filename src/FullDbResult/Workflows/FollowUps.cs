using System.Text.Json;
using System.Text.Json.Nodes;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary>
/// What a finished task sends next, as Celery's worker does (celery/app/trace.py, backends/base.py): after
/// SUCCESS each callback with the result prepended, then the next chain step (popped from the end of the
/// list) with the result prepended and the rest of the chain; after FAILURE each errback, the old-style way,
/// with the failed task's id prepended. Every one is a child of the finished task: parent = it, root = its root.
/// </summary>
internal static class FollowUps
{
    public static bool Any(TaskMessage message) =>
        message.Callbacks is not null || message.Errbacks is not null || message.Chain is not null;

    public static List<TaskMessage> AfterSuccess(TaskMessage message, string resultJson, DateTimeOffset now)
    {
        var sends = Children(message, message.Callbacks, "callbacks", resultJson, now);
        if (message.Chain is not { } chain) return sends;
        var steps = SignatureMessages.ParseList(chain, "chain");
        if (steps.Count == 0) return sends;
        var next = SignatureMessages.ToMessage(steps[^1], resultJson, message.Id, RootOf(message), message.Priority, now);
        var rest = steps.Take(steps.Count - 1).Select(step => step.DeepClone()).ToArray();
        sends.Add(next with { Chain = rest.Length > 0 ? SignatureMessages.Python(new JsonArray(rest)) : null });
        return sends;
    }

    /// <summary>
    /// Celery calls an errback in its own process when it can (a registered task taking request, exc and
    /// traceback); a .NET worker never can, so every errback goes as a task given the failed task's id.
    /// </summary>
    public static List<TaskMessage> AfterFailure(TaskMessage message, DateTimeOffset now) =>
        Children(message, message.Errbacks, "errbacks", JsonSerializer.Serialize(message.Id), now);

    private static List<TaskMessage> Children(TaskMessage message, string? signatures, string what, string prepend, DateTimeOffset now) =>
        signatures is null
            ? []
            : SignatureMessages.ParseList(signatures, what)
                .Select(signature => SignatureMessages.ToMessage(signature, prepend, message.Id, RootOf(message), message.Priority, now))
                .ToList();

    private static string RootOf(TaskMessage message) => string.IsNullOrEmpty(message.RootId) ? message.Id : message.RootId;
}
