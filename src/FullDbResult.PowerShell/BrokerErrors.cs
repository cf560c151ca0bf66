using FullDbResult.RabbitMq;

namespace FullDbResult.PowerShell;

/// <summary>
/// Error records for the broker's failures. A refused login is told apart from an unreachable broker: the
/// one needs a password fixed, the other a server started, and an operator at 3 a.m. should not guess.
/// </summary>
internal static class BrokerErrors
{
    public static ErrorRecord InvalidUrl(ResolvedBroker broker) =>
        new(new ArgumentException(
                $"The broker URL '{broker.Redacted}' from {broker.Source} is not a valid amqp:// or amqps:// URL. Write amqp://user:password@host:port/vhost, "
                + "with / @ : % in the user name or password percent-encoded (%2F, %40, %3A, %25), or give the user and password with -BrokerCredential."),
            "InvalidBrokerUrl", ErrorCategory.InvalidArgument, broker.Redacted);

    /// <summary>The broker could not be used: its login refused, or it could not be reached.</summary>
    public static ErrorRecord Unavailable(Exception exception, ResolvedBroker broker)
    {
        if (!IsAuthenticationFailure(exception))
            return new(exception, "BrokerUnreachable", ErrorCategory.ConnectionError, broker.Redacted);
        var uri = new Uri(broker.Url);
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':', 2)[0]);
        var port = uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;
        return new(new UnauthorizedAccessException(
                $"RabbitMQ at {uri.Host}:{port} refused user '{user}': authentication failed. Check the user name and password "
                + $"(from {broker.Source}; -BrokerCredential gives them apart from the URL).", exception),
            "BrokerAuthenticationFailed", ErrorCategory.AuthenticationError, broker.Redacted);
    }

    /// <summary>Whether a publish or connect failed because the broker's login refused the credentials.</summary>
    public static bool IsAuthenticationFailure(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
            if (current is RabbitMqAuthenticationException)
                return true;
        return false;
    }

    /// <summary>Whether a failed publish means that no publish can work now (broker down, login refused).</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is RabbitMqUnavailableException || exception.InnerException is RabbitMqUnavailableException || IsAuthenticationFailure(exception);
}
