namespace FullDbResult.RabbitMq;

/// <summary>
/// The broker refused the user name or password (RabbitMQ's ACCESS_REFUSED). A configuration error, not an
/// outage: retrying with the same credentials cannot succeed. The message names the user, host, port and
/// virtual host, never the password.
/// </summary>
public sealed class RabbitMqAuthenticationException(string userName, string host, int port, string virtualHost, string brokerReason, Exception? inner = null)
    : Exception($"RabbitMQ at {host}:{port} refused user '{userName}' on virtual host '{virtualHost}': authentication failed ({brokerReason}). Check the user name and password.", inner)
{
    public string UserName { get; } = userName;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public string VirtualHost { get; } = virtualHost;
}
