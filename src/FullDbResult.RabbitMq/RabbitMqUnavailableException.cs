namespace FullDbResult.RabbitMq;

/// <summary>The broker cannot be reached now (down or restarting). Refused credentials are <see cref="RabbitMqAuthenticationException"/>.</summary>
public sealed class RabbitMqUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
