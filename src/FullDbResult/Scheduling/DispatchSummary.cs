namespace FullDbResult.Scheduling;

/// <summary>What a dispatch pass did, so far: reported after each batch and at the end.</summary>
public sealed record DispatchSummary
{
    /// <summary>Batches claimed.</summary>
    public int Batches { get; init; }

    /// <summary>Scheduled rows this pass claimed.</summary>
    public int Claimed { get; init; }

    /// <summary>New tasks the broker confirmed.</summary>
    public int Sent { get; init; }

    /// <summary>
    /// New tasks recorded but not confirmed by the broker. Their PENDING rows stay, and the stale-task
    /// query reports them once they are old enough.
    /// </summary>
    public int Failed { get; init; }

    /// <summary>Claimed rows not sent because they were released or cancelled between the claim and the bookkeeping.</summary>
    public int Skipped { get; init; }

    /// <summary>The new task ids that were not confirmed.</summary>
    public IReadOnlyList<string> FailedTaskIds { get; init; } = [];

    /// <summary>
    /// The pass stopped before a claim because the publisher said the broker is unreachable: the due rows are
    /// still SCHEDULED and unclaimed.
    /// </summary>
    public bool BrokerUnavailable { get; init; }

    /// <summary>Why the last failed publish failed; null when every publish succeeded.</summary>
    public string? PublishError { get; init; }
}
