namespace FullDbResult.Publishing;

/// <summary>One task of a batch for <see cref="TaskClient.SendManyAsync"/>.</summary>
/// <param name="Args">JSON array text; null is <c>[]</c>.</param>
/// <param name="Kwargs">JSON object text; null is <c>{}</c>.</param>
public sealed record TaskSend(string Name, string? Args = null, string? Kwargs = null, SendOptions? Options = null);
