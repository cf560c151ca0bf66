using Dapper;

namespace FullDbResult.Storage;

// The dispatcher's bookkeeping for rows it sends under their own id (Scheduling/SameIdDispatch).
public sealed partial class TaskStore
{
    /// <summary>
    /// Each claimed SCHEDULED row named by <paramref name="sends"/> becomes PENDING, keeping its claim
    /// (scheduled_id, claimed_at), so no dispatcher claims it again and the stale query reports it if its
    /// publish fails. One transaction; applies only while every row still holds <paramref name="claimId"/>,
    /// and returns false, writing nothing, when one does not (released or cancelled meanwhile).
    /// </summary>
    internal async Task<bool> MarkScheduledDispatchedAsync(string claimId, IReadOnlyList<TaskRecord> sends, CancellationToken cancellationToken = default)
    {
        TaskValidation.ValidateTaskId(claimId, nameof(claimId));
        if (sends.Count == 0) return true;
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var chunk in sends.Chunk(Math.Min(500, Dialect.MaxParameters / 2)))
        {
            var args = Database.Parameters().Add("ClaimId", claimId).Add("Now", Database.UtcNow);
            var ids = new List<string>(chunk.Length);
            for (var i = 0; i < chunk.Length; i++)
            {
                args.Add($"Id{i}", chunk[i].TaskId);
                ids.Add($"@Id{i}");
            }
            var marked = await connection.ExecuteAsync(Database.Command(
                $"""
                UPDATE {TaskRow.Table}
                SET status = '{TaskStates.Pending}', date_updated = @Now
                WHERE status = '{TaskStates.Scheduled}' AND scheduled_id = @ClaimId AND task_id IN ({string.Join(", ", ids)})
                """, args.Parameters, transaction, cancellationToken: cancellationToken));
            if (marked != chunk.Length)
            {
                await transaction.RollbackAsync(cancellationToken);
                return false;
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
