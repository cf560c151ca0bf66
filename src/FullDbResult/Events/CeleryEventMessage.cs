namespace FullDbResult.Events;

/// <summary>One message from the <c>celeryev</c> exchange as a transport delivered it.</summary>
/// <param name="Body">The body's bytes: one JSON event, or a JSON list of them.</param>
/// <param name="ContentType">The message's content type; Celery sends <c>application/json</c>.</param>
public readonly record struct CeleryEventMessage(ReadOnlyMemory<byte> Body, string? ContentType);
