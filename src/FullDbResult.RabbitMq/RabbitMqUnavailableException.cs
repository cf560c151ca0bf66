namespace FullDbResult.RabbitMq;

/// <summary>The broker cannot be reached now (down, restarting, or refusing the credentials).</summary>
public sealed class RabbitMqUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
