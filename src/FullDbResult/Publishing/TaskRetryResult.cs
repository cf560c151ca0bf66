namespace FullDbResult.Publishing;

/// <summary>What <see cref="TaskClient.RetryAsync"/> did: sent a new task, or why not.</summary>
/// <param name="NewTask">The new task's row, when <paramref name="Claim"/> is <see cref="RetryClaim.Claimed"/>.</param>
public sealed record TaskRetryResult(RetryClaim Claim, TaskRecord? NewTask)
{
    public bool Sent => Claim == RetryClaim.Claimed;
}
