using FullDbResult.Publishing;

namespace FullDbResult.Workflows;

/// <summary>
/// A task to send later, as part of a workflow: Celery's signature (<c>add.s(2, 3)</c>). Its options route it
/// and may fix its id; <see cref="Link"/> and <see cref="LinkError"/> are its own callbacks and errbacks.
/// </summary>
/// <param name="Args">JSON array text; null is <c>[]</c>. A callback or chain step gets the previous result in front.</param>
/// <param name="Kwargs">JSON object text; null is <c>{}</c>.</param>
public sealed record TaskSignature(string Name, string? Args = null, string? Kwargs = null)
{
    /// <summary>Queue, routing, id, countdown, expiry and time limits of the send.</summary>
    public SendOptions? Options { get; init; }

    /// <summary>Celery's <c>.si()</c>: the previous task's result is not prepended to its args.</summary>
    public bool Immutable { get; init; }

    public IReadOnlyList<TaskSignature> Link { get; init; } = [];

    public IReadOnlyList<TaskSignature> LinkError { get; init; } = [];
}
