using System.Data.Common;
using Dapper;
using FullDbResult.Json;
using FullDbResult.Protocol;

namespace FullDbResult.Workflows;

/// <summary>
/// Chords counted in the store, not by polling (Celery's chord_unlock): a counter row per chord, created
/// with the members, and one part per member. A member's part, its outcome and the decrement are one
/// transaction; the transaction that takes the counter to zero also marks the chord FIRED and writes the
/// callback's PENDING row, so exactly one part fires the callback, whichever worker reports it and however
/// often. A failed member marks the chord FAILED (once) and the callback is never sent.
/// </summary>
internal sealed class ChordStore(TaskStore store)
{
    public const string Table = "fulldbresult_chord";
    public const string PartTable = "fulldbresult_chord_part";
    private const string Open = "OPEN";
    private const string Fired = "FIRED";
    private const string Failed = "FAILED";

    private readonly StoreDatabase _database = store.Database;

    /// <summary>The counter of a new chord of <paramref name="size"/> members, whose callback is <paramref name="body"/> (a signature).</summary>
    public async Task CreateAsync(string groupId, int size, string body, string bodyId, CancellationToken cancellationToken)
    {
        var p = _database.Parameters().Add("GroupId", groupId).Add("Size", size).Add("Body", body).Add("BodyId", bodyId).Add("Now", _database.UtcNow);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(_database.Command(
            $"""
            INSERT INTO {Table} (group_id, chord_size, remaining, state, body, body_id, date_created)
            VALUES (@GroupId, @Size, @Size, '{Open}', @Body, @BodyId, @Now)
            """, p.Parameters, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Counts member <paramref name="taskId"/>'s success. Returns the callback to publish when this part was
    /// the last one, with the members' results in index order in front of its args; otherwise null.
    /// </summary>
    public async Task<TaskMessage?> CountAsync(string groupId, int index, string taskId, string resultJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var p = _database.Parameters().Add("GroupId", groupId).Add("Index", index).Add("TaskId", taskId).Add("Result", resultJson).Add("Now", now.UtcDateTime);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await AddPartAsync(connection, transaction, p, cancellationToken)) return null;
        await MarkMemberAsync(connection, transaction, p, TaskStates.Success, resultJson, cancellationToken);
        var counted = await connection.ExecuteAsync(_database.Command(
            $"UPDATE {Table} SET remaining = remaining - 1 WHERE group_id = @GroupId AND state = '{Open}' AND remaining > 0",
            p.Parameters, transaction, cancellationToken));
        var chord = counted == 0 ? null : await connection.QuerySingleAsync<ChordRow>(_database.Command(
            $"SELECT remaining AS Remaining, body AS Body, body_id AS BodyId FROM {Table} WHERE group_id = @GroupId",
            p.Parameters, transaction, cancellationToken));
        TaskMessage? callback = null;
        if (chord is { Remaining: 0 })
        {
            await connection.ExecuteAsync(_database.Command(
                $"UPDATE {Table} SET state = '{Fired}', date_done = @Now WHERE group_id = @GroupId",
                p.Parameters, transaction, cancellationToken));
            var results = await connection.QueryAsync<string?>(_database.Command(
                $"SELECT result FROM {PartTable} WHERE group_id = @GroupId ORDER BY group_index",
                p.Parameters, transaction, cancellationToken));
            var signature = SignatureMessages.ParseOne(chord.Body, "the chord's callback");
            var resultList = "[" + string.Join(", ", results.Select(result => result ?? "null")) + "]";
            var root = await connection.QuerySingleOrDefaultAsync<string?>(_database.Command(
                $"SELECT root_id FROM {TaskRow.Table} WHERE task_id = @TaskId", p.Parameters, transaction, cancellationToken));
            callback = SignatureMessages.ToMessage(signature, resultList, taskId, root ?? taskId, null, now) with { Id = chord.BodyId };
            var row = TaskMessages.ToRecord(callback, TaskStates.Pending);
            TaskRow.Prepare(row, now.UtcDateTime);
            await _database.Dialect.InsertRowsAsync(connection, transaction, [row], cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return callback;
    }

    /// <summary>
    /// Marks the chord FAILED because member <paramref name="taskId"/> failed, and its callback's row FAILURE
    /// with a ChordError. Returns the callback signature (its errbacks are to be sent) the first time, else null.
    /// </summary>
    public async Task<string?> FailAsync(string groupId, int index, string taskId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var p = _database.Parameters().Add("GroupId", groupId).Add("Index", index).Add("TaskId", taskId).Add("Result", (string?)null).Add("Now", now.UtcDateTime);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var error = TaskJson.Serialize(new Dictionary<string, string>
        {
            ["exc_type"] = "ChordError",
            ["exc_message"] = $"Dependency {taskId} raised an error",
            ["exc_module"] = "celery.exceptions",
        });
        await MarkMemberAsync(connection, transaction, p, TaskStates.Failure, null, cancellationToken);
        var failed = await connection.ExecuteAsync(_database.Command(
            $"UPDATE {Table} SET state = '{Failed}', date_done = @Now WHERE group_id = @GroupId AND state = '{Open}'",
            p.Parameters, transaction, cancellationToken));
        string? body = null;
        if (failed == 1)
        {
            var chord = await connection.QuerySingleAsync<ChordRow>(_database.Command(
                $"SELECT remaining AS Remaining, body AS Body, body_id AS BodyId FROM {Table} WHERE group_id = @GroupId",
                p.Parameters, transaction, cancellationToken));
            var signature = SignatureMessages.ParseOne(chord.Body, "the chord's callback");
            var row = TaskMessages.ToRecord(SignatureMessages.ToMessage(signature, null, taskId, taskId, null, now) with { Id = chord.BodyId }, TaskStates.Failure);
            row.Result = error;
            row.DateDone = now.UtcDateTime;
            TaskRow.Prepare(row, now.UtcDateTime);
            await _database.Dialect.InsertRowsAsync(connection, transaction, [row], cancellationToken);
            body = chord.Body;
        }
        await transaction.CommitAsync(cancellationToken);
        return body;
    }

    /// <summary>False when this member's part is already counted (a redelivered or repeated report).</summary>
    private async Task<bool> AddPartAsync(DbConnection connection, DbTransaction transaction, SqlParameters p, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ExecuteAsync(_database.Command(
                $"""
                INSERT INTO {PartTable} (group_id, group_index, task_id, result)
                SELECT @GroupId, @Index, @TaskId, @Result
                WHERE NOT EXISTS (SELECT 1 FROM {PartTable} WHERE group_id = @GroupId AND group_index = @Index)
                """, p.Parameters, transaction, cancellationToken)) == 1;
        }
        catch (DbException ex) when (_database.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// A member that ran on a Python worker has only the PENDING row its producer wrote: its part is the first
    /// word of its outcome. A member that ran here already has its outcome, which this leaves alone.
    /// </summary>
    private async Task MarkMemberAsync(DbConnection connection, DbTransaction transaction, SqlParameters p, string status, string? result, CancellationToken cancellationToken)
    {
        p.Add("Status", status).Add("MemberResult", result);
        await connection.ExecuteAsync(_database.Command(
            $"""
            UPDATE {TaskRow.Table} SET status = @Status, result = COALESCE(@MemberResult, result), date_done = @Now, date_updated = @Now
            WHERE task_id = @TaskId AND status IN ('{TaskStates.Pending}', '{TaskStates.Received}', '{TaskStates.Started}')
            """, p.Parameters, transaction, cancellationToken));
    }

    private sealed class ChordRow
    {
        public long Remaining { get; init; }
        public string Body { get; init; } = "";
        public string BodyId { get; init; } = "";
    }
}
