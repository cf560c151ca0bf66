using Dapper;

namespace FullDbResult.Storage;

// Changes that must happen once, however many operators and dispatchers race for the same row: each is a
// conditional update that applies only where the row is still in the expected state.
public sealed partial class TaskStore
{
    /// <summary>
    /// Claims <paramref name="taskId"/> for a retry and writes the new task's row in one transaction: the old
    /// row gets retried_as only where it has none, so of two operators retrying at once only one sends.
    /// A SCHEDULED row is claimed as a dispatcher claims it, in the same statement: it becomes SCHEDULED_SENT
    /// (the retry is its send, now), so no dispatcher sends it again; one a dispatcher has already claimed is
    /// refused (<see cref="RetryClaim.ClaimedByDispatcher"/>), since that dispatcher sends it.
    /// </summary>
    public async Task<RetryClaim> ClaimRetryAsync(string taskId, TaskRecord newRecord, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(taskId, nameof(taskId));
        ArgumentNullException.ThrowIfNull(newRecord);
        newRecord.RetriedFrom = taskId;
        Prepare(newRecord);

        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = await connection.ExecuteAsync(Database.Command(
            $"""
            UPDATE {TaskRow.Table}
            SET retried_as = @NewId, date_updated = @Now,
                scheduled_id = CASE WHEN status = '{TaskStates.Scheduled}' THEN @NewId ELSE scheduled_id END,
                claimed_at = CASE WHEN status = '{TaskStates.Scheduled}' THEN @Now ELSE claimed_at END,
                date_done = CASE WHEN status = '{TaskStates.Scheduled}' THEN @Now ELSE date_done END,
                status = CASE WHEN status = '{TaskStates.Scheduled}' THEN '{TaskStates.ScheduledSent}' ELSE status END
            WHERE task_id = @TaskId AND retried_as IS NULL AND (status <> '{TaskStates.Scheduled}' OR scheduled_id IS NULL)
            """,
            Database.Parameters().Add("NewId", newRecord.TaskId).Add("Now", Database.UtcNow).Add("TaskId", taskId).Parameters,
            transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<string?>(Database.Command(
                    $"SELECT CASE WHEN retried_as IS NULL THEN 'claimed' ELSE 'retried' END FROM {TaskRow.Table} WHERE task_id = @TaskId",
                    Database.Parameters().Add("TaskId", taskId).Parameters, cancellationToken: cancellationToken)) switch
            {
                null => RetryClaim.NotFound,
                "claimed" => RetryClaim.ClaimedByDispatcher,
                _ => RetryClaim.AlreadyRetried,
            };
        }
        await Dialect.InsertRowsAsync(connection, transaction, [newRecord], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RetryClaim.Claimed;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due SCHEDULED rows under <paramref name="claimId"/>. No two
    /// callers, on any number of machines, get the same row.
    /// </summary>
    public async Task<IReadOnlyList<TaskRecord>> ClaimDueScheduledAsync(int limit, string claimId, CancellationToken cancellationToken = default)
    {
        if (limit <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The batch size must be positive.");
        TaskValidation.ValidateTaskId(claimId, nameof(claimId));
        var args = Database.Parameters().Add("ClaimId", claimId).Add("Now", Database.UtcNow).Add("Limit", limit);
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var claimed = (await connection.QueryAsync<TaskRecord>(Database.Command(
            Dialect.ClaimDueScheduled, args.Parameters, transaction, cancellationToken: cancellationToken))).AsList();
        await transaction.CommitAsync(cancellationToken);
        foreach (var record in claimed) TaskRow.Normalize(record);
        claimed.Sort((a, b) => Nullable.Compare(a.Eta, b.Eta));
        return claimed;
    }

    /// <summary>
    /// The dispatcher's bookkeeping for claimed rows, before it publishes: each scheduled row named by a new
    /// record's RetriedFrom becomes SCHEDULED_SENT with retried_as = the new id, and the new PENDING rows are
    /// written, all in one transaction. Applies only while every row still holds <paramref name="claimId"/>;
    /// returns false, writing nothing, when one does not (it was released or cancelled meanwhile).
    /// </summary>
    public async Task<bool> MarkScheduledSentAsync(string claimId, IReadOnlyList<TaskRecord> newRecords, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(claimId, nameof(claimId));
        ArgumentNullException.ThrowIfNull(newRecords);
        if (newRecords.Count == 0) return true;
        foreach (var record in newRecords)
        {
            TaskValidation.ValidateTaskId(record.RetriedFrom, "RetriedFrom");
            Prepare(record);
        }

        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = Database.UtcNow;
        // Two parameters a row in the CASE; keep well under every database's limit.
        foreach (var chunk in newRecords.Chunk(Math.Min(500, Dialect.MaxParameters / 4)))
        {
            var args = Database.Parameters().Add("ClaimId", claimId).Add("Now", now);
            var cases = new List<string>(chunk.Length);
            var olds = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                args.Add($"Old{i}", chunk[i].RetriedFrom).Add($"New{i}", chunk[i].TaskId);
                cases.Add($"WHEN @Old{i} THEN @New{i}");
                olds.Add($"@Old{i}");
            }
            var marked = await connection.ExecuteAsync(Database.Command(
                $"""
                UPDATE {TaskRow.Table}
                SET status = '{TaskStates.ScheduledSent}', date_done = @Now, date_updated = @Now,
                    retried_as = CASE task_id {string.Join(" ", cases)} END
                WHERE status = '{TaskStates.Scheduled}' AND scheduled_id = @ClaimId AND task_id IN ({string.Join(", ", olds)})
                """, args.Parameters, transaction, cancellationToken: cancellationToken));
            if (marked != chunk.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }
        await Dialect.InsertRowsAsync(connection, transaction, newRecords, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Releases the dispatcher claim <paramref name="claimId"/> on a SCHEDULED row, so the next dispatch pass
    /// sends the task: only while the row is still SCHEDULED under that same claim, so of two operators
    /// releasing one stale claim one does, and a newer claim is never undone. Safe even if the claiming
    /// dispatcher is alive: its bookkeeping applies only while its claim holds, and it publishes only what it
    /// recorded, so after the release it sends nothing. A row the dispatcher recorded is SCHEDULED_SENT (the
    /// mark and the new PENDING row are one transaction), so it is never released. Returns false when the
    /// row was not held by that claim.
    /// </summary>
    public Task<bool> ReleaseScheduledClaimAsync(string taskId, string claimId, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(claimId, nameof(claimId));
        return ConditionalUpdateAsync(taskId,
            "scheduled_id = NULL, claimed_at = NULL",
            $"status = '{TaskStates.Scheduled}' AND scheduled_id = @ClaimId", cancellationToken, claimId);
    }

    /// <summary>Cancels a scheduled task (SCHEDULED to REVOKED) while no dispatcher has claimed it.</summary>
    public Task<bool> CancelScheduledAsync(string taskId, CancellationToken cancellationToken = default) =>
        ConditionalUpdateAsync(taskId,
            $"status = '{TaskStates.Revoked}', date_done = @Now",
            $"status = '{TaskStates.Scheduled}' AND scheduled_id IS NULL", cancellationToken);

    private async Task<bool> ConditionalUpdateAsync(string taskId, string assignments, string condition, CancellationToken cancellationToken,
        string? claimId = null)
    {
        TaskValidation.ValidateTaskId(taskId, nameof(taskId));
        var parameters = Database.Parameters().Add("Now", Database.UtcNow).Add("TaskId", taskId);
        if (claimId is not null) parameters.Add("ClaimId", claimId);
        await using var connection = await Database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(Database.Command(
            $"UPDATE {TaskRow.Table} SET {assignments}, date_updated = @Now WHERE task_id = @TaskId AND {condition}",
            parameters.Parameters, cancellationToken: cancellationToken)) > 0;
    }
}
