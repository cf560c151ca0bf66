using System.Text.Json;
using System.Text.Json.Nodes;
using FullDbResult.Protocol;
using FullDbResult.Worker;

namespace FullDbResult.Workflows;

/// <summary>
/// How a chord's members report, whichever worker runs them: each member of a chord that
/// <see cref="TaskClient.SendChordAsync"/> sends is linked to <see cref="PartTask"/> and link_error'd to
/// <see cref="ErrorTask"/>, two tasks every worker of ours runs. A Celery worker sends links and errbacks
/// without a result backend, so a Python member counts exactly like a .NET one; the counting itself is
/// <see cref="ChordStore"/>'s.
/// </summary>
internal sealed class ChordParts(TaskStore store, ITaskPublisher publisher, TimeProvider clock, ILogger logger)
{
    /// <summary>The prefix of the tasks every worker of ours registers itself, as Celery's <c>celery.</c> builtins.</summary>
    public const string BuiltinPrefix = "fulldbresult.";
    public const string PartTask = BuiltinPrefix + "chord_part";
    public const string ErrorTask = BuiltinPrefix + "chord_error";

    private readonly ChordStore _chords = new(store);

    /// <summary>Adds the two tasks to a worker's handlers.</summary>
    public void Register(IDictionary<string, TaskHandler> handlers)
    {
        handlers[PartTask] = new TaskHandler(PartTask, PartAsync, new TaskHandlerOptions());
        handlers[ErrorTask] = new TaskHandler(ErrorTask, ErrorAsync, new TaskHandlerOptions());
    }

    /// <summary>The link and link_error that make member <paramref name="index"/> (<paramref name="taskId"/>) report to its chord.</summary>
    public static (TaskSignature Part, TaskSignature Error) Signatures(string groupId, int index, string taskId, string counterQueue)
    {
        var kwargs = new JsonObject { ["group"] = groupId, ["index"] = index, ["member"] = taskId }.ToJsonString();
        var options = new SendOptions { Queue = counterQueue };
        var errorKwargs = new JsonObject { ["group"] = groupId, ["index"] = index }.ToJsonString();
        return (new TaskSignature(PartTask, null, kwargs) { Options = options }, new TaskSignature(ErrorTask, null, errorKwargs) { Options = options });
    }

    /// <summary>A member succeeded with <paramref name="result"/>: counted, and the callback sent if it was the last.</summary>
    private async Task<string> PartAsync(JsonElement result, string group, int index, string member, CancellationToken cancellationToken)
    {
        var callback = await _chords.CountAsync(group, index, member, result.GetRawText(), clock.GetUtcNow(), cancellationToken);
        if (callback is null) return "counted";
        try
        {
            await publisher.PublishAsync([callback], cancellationToken);
        }
        catch (Exception ex)
        {
            logger.LogError("Chord {GroupId}: its callback {TaskId} was not published; its row stays PENDING: {Error}", group, callback.Id, ex.Message);
            await TaskClient.RecordPublishErrorAsync(store, [callback.Id], $"{ex.GetType().Name}: {ex.Message}");
            throw;
        }
        return $"fired {callback.Id}";
    }

    /// <summary>A member failed (an old-style errback: its id comes first): the chord fails once, its callback's errbacks are sent.</summary>
    private async Task<string> ErrorAsync(string member, string group, int index, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (await _chords.FailAsync(group, index, member, now, cancellationToken) is not { } body) return "already failed";
        var signature = SignatureMessages.ParseOne(body, "the chord's callback");
        var errbacks = signature["options"]?["link_error"] is { } linkError ? SignatureMessages.Python(linkError) : null;
        var callbackId = signature["options"]?["task_id"]?.GetValue<string>() ?? member;
        var sends = FollowUps.AfterFailure(new TaskMessage { Id = callbackId, Name = signature["task"]!.GetValue<string>(), RootId = member, Errbacks = errbacks }, now);
        if (sends.Count > 0)
        {
            await store.InsertManyAsync(sends.Select(send => TaskMessages.ToRecord(send, TaskStates.Pending)).ToList(), cancellationToken);
            await publisher.PublishAsync(sends, cancellationToken);
        }
        return $"failed {callbackId}";
    }
}
