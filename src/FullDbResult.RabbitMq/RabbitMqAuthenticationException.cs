namespace FullDbResult.RabbitMq;

/// <summary>
/// The broker refused the user name or password (RabbitMQ's ACCESS_REFUSED). A configuration error, not an
/// outage: retrying with the same credentials cannot succeed. The message names the user, host, port and
/// virtual host, never the password.
/// </summary>
public sealed class RabbitMqAuthenticationException : Exception
{
    public RabbitMqAuthenticationException(string userName, string host, int port, string virtualHost, string brokerReason, Exception? inner = null)
        : base($"RabbitMQ at {host}:{port} refused user '{userName}' on virtual host '{virtualHost}': authentication failed ({brokerReason}). Check the user name and password.", inner)
    {
        UserName = userName;
        Host = host;
        Port = port;
        VirtualHost = virtualHost;
    }

    public string UserName { get; }
    public string Host { get; }
    public int Port { get; }
    public string VirtualHost { get; }
}
