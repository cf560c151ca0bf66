using FullDbResult.Events;
using FullDbResult.Json;

namespace FullDbResult.Storage;

public sealed partial class TaskStore
{
    /// <summary>
    /// The task name of a row that an event created before any event named the task (task-started and later
    /// carry no name); the first event that names it replaces this. Not a valid Python identifier, so never a
    /// real task's name.
    /// </summary>
    internal const string UnknownTaskName = "<unknown>";

    /// <summary>
    /// The meta of a row that Celery's events created: its args and kwargs columns are the placeholders
    /// <c>[]</c> and <c>{}</c>, because events carry the arguments only as Python reprs (in args_repr, kwargs_repr).
    /// </summary>
    internal const string CreatedByEventsMeta = """{"created_by": "celery-events", "args": "see args_repr and kwargs_repr"}""";

    /// <summary>
    /// Writes a batch of Celery events in one transaction, in order: each task event into its task's row
    /// (created when missing), each worker event into the worker table. A task's state moves only by Celery's
    /// precedence, so the order events arrive in never moves a row back; an event that loses on state still
    /// fills what the row lacks (a name, the arguments). Nothing of the batch is written if it fails.
    /// </summary>
    internal async Task ApplyEventsAsync(IReadOnlyList<TaskEventChange> tasks, IReadOnlyList<WorkerHeartbeat> workers, CancellationToken cancellationToken = default)
    {
        var statements = tasks.Select(TaskEventStatement).ToList();
        // A batch may hold several heartbeats of one worker: the latest one is its state.
        foreach (var worker in workers.GroupBy(w => w.WorkerName).Select(g => g.MaxBy(w => w.LastHeartbeat)!))
            statements.Add((Dialect.UpsertHeartbeat, WorkerStore.BindHeartbeat(Database.Parameters(), worker)));
        await ExecuteTogetherAsync(statements, cancellationToken);
    }

    private (string Sql, SqlParameters Args) TaskEventStatement(TaskEventChange change)
    {
        var now = Database.UtcNow;
        var args = Database.Parameters();
        var wins = EventStatusWins(args, change.Status);
        var setsOutcome = TaskStateChange.StatusCarriesOutcome(change.Status);
        args.Add("SetsOutcome", setsOutcome ? 1 : 0);
        var assignments = new List<string>();
        foreach (var column in TaskRow.Columns)
        {
            var stored = $"{TaskRow.Table}.{column.Name}";
            if (column.Merge == StateChangeMerge.Status)
                assignments.Add($"{column.Name} = CASE WHEN {wins} THEN @{column.Property} ELSE {stored} END");
            else if (column.Merge == StateChangeMerge.ChangedAt)
                assignments.Add($"{column.Name} = @{column.Property}");
            else if (EventValues.TryGetValue(column.Name, out var value))
            {
                args.Add("Set" + column.Property, column, value(change));
                assignments.Add(column.Name is "result_repr" or "traceback"
                    // An outcome replaces the last one only where its state wins: a late task-retried leaves
                    // a stored failure's exception alone.
                    ? $"{column.Name} = CASE WHEN @SetsOutcome = 1 AND {wins} THEN @Set{column.Property} ELSE {stored} END"
                    : $"{column.Name} = COALESCE(@Set{column.Property}, {stored})");
            }
        }
        args.AddRow(new TaskRecord
        {
            TaskId = change.TaskId,
            TaskName = change.TaskName ?? UnknownTaskName,
            Status = change.Status,
            ArgsRepr = change.ArgsRepr,
            KwargsRepr = change.KwargsRepr,
            ResultRepr = setsOutcome ? change.ResultRepr : null,
            Traceback = setsOutcome ? change.Traceback : null,
            Exchange = change.Exchange,
            RoutingKey = change.RoutingKey,
            Queue = change.Queue,
            Eta = change.Eta,
            Expires = change.Expires,
            DateSubmitted = change.SentAt ?? now,
            DateStarted = change.DateStarted,
            DateDone = change.DateDone,
            DateUpdated = now,
            Worker = change.Worker,
            Retries = change.Retries ?? 0,
            RootId = change.RootId,
            ParentId = change.ParentId,
            Meta = CreatedByEventsMeta,
        });
        // A SCHEDULED_SENT row was sent under another id: no event of this id is its business.
        var protectedList = args.In("Protected", [TaskStates.ScheduledSent]);
        return (Dialect.UpsertStateChange(string.Join(",\n", assignments), protectedList), args);
    }

    /// <summary>
    /// The columns an event fills (when it carries a value) and where the value comes from. The JSON columns
    /// (args, kwargs, result) and meta are never written by an event: events carry Python reprs.
    /// </summary>
    private static readonly Dictionary<string, Func<TaskEventChange, object?>> EventValues = new()
    {
        ["task_name"] = c => c.TaskName,
        ["args_repr"] = c => c.ArgsRepr,
        ["kwargs_repr"] = c => c.KwargsRepr,
        ["result_repr"] = c => c.ResultRepr,
        ["traceback"] = c => c.Traceback,
        ["exchange"] = c => c.Exchange,
        ["routing_key"] = c => c.RoutingKey,
        ["queue"] = c => c.Queue,
        ["eta"] = c => c.Eta,
        ["expires"] = c => c.Expires,
        ["date_started"] = c => c.DateStarted,
        ["date_done"] = c => c.DateDone,
        ["worker"] = c => c.Worker,
        ["retries"] = c => c.Retries,
        ["root_id"] = c => c.RootId,
        ["parent_id"] = c => c.ParentId,
    };

    /// <summary>
    /// The SQL condition under which an event's state replaces the stored one: the stored state is not stronger
    /// by Celery's precedence (<see cref="TaskStates.Rank"/>). For a state weaker than a custom state that means
    /// the stored one is a known state at most as strong, so a custom state, SCHEDULED or SCHEDULED_SENT stays.
    /// </summary>
    private static string EventStatusWins(SqlParameters args, string status)
    {
        var rank = TaskStates.Rank(status);
        var stronger = TaskStates.All.Where(s => TaskStates.Rank(s) < rank).ToList();
        if (rank <= TaskStates.Rank("custom"))
            return stronger.Count == 0 ? "1 = 1" : $"{TaskRow.Table}.status NOT IN {args.In("Stronger", stronger)}";
        return $"{TaskRow.Table}.status IN {args.In("NotStronger", TaskStates.All.Where(s => TaskStates.Rank(s) >= rank).ToList())}";
    }
}
