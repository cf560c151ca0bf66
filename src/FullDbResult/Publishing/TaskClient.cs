using FullDbResult.Json;
using FullDbResult.Protocol;
using FullDbResult.Workflows;

namespace FullDbResult.Publishing;

/// <summary>
/// Sends tasks and tracks them: the PENDING row is written before the message is published, so a task is
/// never lost silently. A publish that fails leaves the row PENDING with <c>publish_error</c> in its meta,
/// where <c>Get-StaleTask</c> finds it, and the error goes to the caller.
/// </summary>
public sealed class TaskClient(TaskStore store, ITaskPublisher publisher, TaskClientOptions? options = null)
{
    /// <summary>The meta key that holds why a publish failed.</summary>
    public const string PublishErrorKey = "publish_error";

    private readonly TaskStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private readonly ITaskPublisher _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
    private readonly TaskClientOptions _options = options ?? new TaskClientOptions();
    private readonly SendBatcher _batcher = new(store, publisher, options?.TrackPublish ?? true);

    /// <summary>
    /// Sends one task and returns its id once its row is stored and the broker has confirmed it (or once it is
    /// SCHEDULED). Concurrent calls share the row write and the confirm wait (<see cref="SendBatcher"/>); each
    /// still fails only with its own error. Cancelling stops the send until it joins a batch, not after.
    /// </summary>
    /// <param name="args">JSON array text; null is <c>[]</c>.</param>
    /// <param name="kwargs">JSON object text; null is <c>{}</c>.</param>
    /// <exception cref="ArgumentException">The name, args, kwargs or options are not valid.</exception>
    /// <exception cref="TaskPublishException">The broker did not confirm the message; the row records why.</exception>
    public async Task<string> SendAsync(string name, string? args = null, string? kwargs = null, SendOptions? sendOptions = null, CancellationToken cancellationToken = default)
    {
        var planned = Plan(new TaskSend(name, args, kwargs, sendOptions), _options.Clock.GetUtcNow(), 0);
        await _batcher.SendAsync(planned, cancellationToken);
        return planned.Record.TaskId;
    }

    /// <summary>
    /// Sends many tasks with one database write for all rows and one confirm wait for all messages.
    /// Returns their ids in order.
    /// </summary>
    public async Task<IReadOnlyList<string>> SendManyAsync(IReadOnlyList<TaskSend> sends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sends);
        var now = _options.Clock.GetUtcNow();
        var planned = sends.Select((send, i) => Plan(send, now, i)).ToList();

        var scheduled = planned.Where(p => p.Scheduled).Select(p => p.Record).ToList();
        var published = planned.Where(p => !p.Scheduled).ToList();
        var rows = _options.TrackPublish ? planned.Select(p => p.Record).ToList() : scheduled;
        await _store.InsertManyAsync(rows, cancellationToken);
        await PublishAsync(published.Select(p => p.Message).ToList(), cancellationToken);
        return planned.Select(p => p.Record.TaskId).ToList();
    }

    /// <summary>
    /// Sends <paramref name="taskId"/> again under a new id with the same name and arguments, to its first
    /// exchange and routing key unless others are given. Of two retries of one task at once, only one sends.
    /// A SCHEDULED row is sent now, once: no dispatcher sends it again; one a dispatcher has already claimed
    /// is refused (<see cref="RetryClaim.ClaimedByDispatcher"/>). See Scheduling/README.md.
    /// </summary>
    public async Task<TaskRetryResult> RetryAsync(string taskId, string? exchange = null, string? routingKey = null, CancellationToken cancellationToken = default)
    {
        var original = await _store.GetAsync(taskId, cancellationToken);
        if (original is null) return new TaskRetryResult(RetryClaim.NotFound, null);
        var resend = TaskMessages.Resend(original, NewTaskId(), exchange, routingKey);
        var claim = await _store.ClaimRetryAsync(taskId, resend, cancellationToken);
        if (claim != RetryClaim.Claimed) return new TaskRetryResult(claim, null);
        await PublishAsync([TaskMessages.ToMessage(resend)], cancellationToken);
        return new TaskRetryResult(claim, resend);
    }

    /// <summary>
    /// Celery's <c>chain(a, b, c)</c>: sends the first step, which carries the rest; each worker sends the next
    /// step with its result in front of that step's args. Returns every step's id, first to last (the later
    /// ones are fixed now, and their rows are written when they are sent).
    /// </summary>
    public async Task<IReadOnlyList<string>> SendChainAsync(IReadOnlyList<TaskSignature> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) throw new ArgumentException("A chain needs at least one step.", nameof(steps));
        var withIds = steps.Select(SignatureJson.WithId).ToList();
        var first = withIds[0];
        // Celery pops the next step from the end of the list.
        var rest = Enumerable.Reverse(withIds.Skip(1)).ToList();
        await SendAsync(first.Name, first.Args, first.Kwargs, Options(first) with { Chain = SignatureJson.List(rest) }, cancellationToken);
        return withIds.Select(step => step.Options!.TaskId!).ToList();
    }

    /// <summary>Celery's <c>group(a, b)</c>: sends every member at once under one group id, each with its index.</summary>
    /// <returns>The group id and the members' ids in order.</returns>
    public async Task<(string GroupId, IReadOnlyList<string> TaskIds)> SendGroupAsync(IReadOnlyList<TaskSignature> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        var groupId = NewTaskId();
        var ids = await SendManyAsync(members.Select((member, index) =>
            new TaskSend(member.Name, member.Args, member.Kwargs, Options(member) with { GroupId = groupId, GroupIndex = index })).ToList(), cancellationToken);
        return (groupId, ids);
    }

    /// <summary>
    /// Celery's <c>chord(members)(body)</c>, counted in the store: sends every member as a group, each linked
    /// to report its result (or its failure) to a worker of ours on <paramref name="counterQueue"/>. The last
    /// member to succeed sends <paramref name="body"/> once, with all results in member order in front of its
    /// args; a failed member fails the chord instead, and the body's link_error is sent. Members may run on
    /// Celery workers: they need no result backend.
    /// </summary>
    /// <param name="counterQueue">A queue our workers consume; null is <c>celery</c>.</param>
    /// <returns>The group id, the members' ids in order and the callback's id.</returns>
    public async Task<(string GroupId, IReadOnlyList<string> TaskIds, string CallbackId)> SendChordAsync(
        IReadOnlyList<TaskSignature> members, TaskSignature body, string? counterQueue = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(body);
        if (members.Count == 0) throw new ArgumentException("A chord needs at least one member.", nameof(members));
        var groupId = NewTaskId();
        var callback = SignatureJson.WithId(body);
        var callbackJson = SignatureMessages.Python(SignatureJson.Node(callback));
        var sends = members.Select(SignatureJson.WithId).Select((member, index) =>
        {
            var options = Options(member);
            var (part, error) = ChordParts.Signatures(groupId, index, options.TaskId!, counterQueue ?? CeleryProtocol.DefaultQueue);
            return new TaskSend(member.Name, member.Args, member.Kwargs,
                options with { GroupId = groupId, GroupIndex = index, Link = [.. options.Link!, part], LinkError = [.. options.LinkError!, error] });
        }).ToList();
        await new ChordStore(_store).CreateAsync(groupId, sends.Count, callbackJson, callback.Options!.TaskId!, cancellationToken);
        var ids = await SendManyAsync(sends, cancellationToken);
        return (groupId, ids, callback.Options.TaskId!);
    }

    public static string NewTaskId() => Guid.NewGuid().ToString();

    private static SendOptions Options(TaskSignature signature) =>
        (signature.Options ?? new SendOptions()) with
        {
            Link = [.. signature.Link, .. signature.Options?.Link ?? []],
            LinkError = [.. signature.LinkError, .. signature.Options?.LinkError ?? []],
        };

    private Task PublishAsync(IReadOnlyList<TaskMessage> messages, CancellationToken cancellationToken) =>
        TrackedPublish.PublishAsync(_publisher, _options.TrackPublish ? _store : null, messages, cancellationToken);

    /// <summary>
    /// Notes on each PENDING row why its publish failed, all in one batch. Not cancellable: the caller's token
    /// may be what failed the publish, and the rows must still say so.
    /// </summary>
    internal static Task RecordPublishErrorAsync(TaskStore store, IReadOnlyList<string> taskIds, string error)
    {
        var meta = TaskJson.Serialize(new Dictionary<string, string> { [PublishErrorKey] = error });
        return store.NotePublishErrorAsync(taskIds, meta, CancellationToken.None);
    }

    private PlannedSend Plan(TaskSend send, DateTimeOffset now, int index)
    {
        ArgumentNullException.ThrowIfNull(send, $"sends[{index}]");
        var o = send.Options ?? new SendOptions();
        var context = $"task {send.Name}";
        TaskValidation.ValidateTaskName(send.Name, nameof(send.Name));
        var args = send.Args ?? "[]";
        var kwargs = send.Kwargs ?? "{}";
        TaskJson.ValidateArgs(args, context);
        TaskJson.ValidateKwargs(kwargs, context);
        var taskId = o.TaskId ?? NewTaskId();
        TaskValidation.ValidateTaskId(taskId, nameof(SendOptions.TaskId));
        if (o.Eta is not null && o.Countdown is not null)
            throw new ArgumentException($"{context}: give an eta or a countdown, not both.", nameof(SendOptions.Countdown));
        if (o.Countdown < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SendOptions.Countdown), o.Countdown, $"{context}: the countdown is negative.");
        if (o.TimeLimit <= TimeSpan.Zero || o.SoftTimeLimit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SendOptions.TimeLimit), $"{context}: time limits must be positive.");

        var eta = o.Eta ?? (o.Countdown is { } countdown ? now + countdown : null);
        var exchange = o.Exchange ?? "";
        var message = new TaskMessage
        {
            Id = taskId,
            Name = send.Name,
            Args = args,
            Kwargs = kwargs,
            Eta = eta,
            Expires = o.Expires,
            Priority = o.Priority,
            Exchange = exchange,
            RoutingKey = o.RoutingKey ?? o.Queue ?? CeleryProtocol.DefaultQueue,
            TimeLimitHard = o.TimeLimit?.TotalSeconds,
            TimeLimitSoft = o.SoftTimeLimit?.TotalSeconds,
            Callbacks = SignatureJson.List(o.Link),
            Errbacks = SignatureJson.List(o.LinkError),
            Chain = o.Chain,
            GroupId = o.GroupId,
            GroupIndex = o.GroupIndex,
        };
        var scheduled = _options.ScheduleDelayedTasks && eta is not null;
        var record = TaskMessages.ToRecord(message, scheduled ? TaskStates.Scheduled : TaskStates.Pending, o.Queue);
        if (scheduled) record.Meta = WorkflowMeta.Of(message);
        record.DateSubmitted = now.UtcDateTime;
        return new PlannedSend(message, record, scheduled);
    }
}
