namespace FullDbResult.PowerShell;

/// <summary>
/// -BrokerUrl and -BrokerCredential, the broker a command names, declared once: Connect-FullDbResult and the
/// cmdlets that send (<see cref="BrokerCmdlet"/>) offer them as their dynamic parameters, since the two do not
/// share a base class that could declare them.
/// </summary>
public sealed class BrokerParameters
{
    /// <summary>The RabbitMQ URL, e.g. amqp://user:password@host:5672/vhost; wins over the session and the environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BrokerUrl { get; set; }

    /// <summary>The broker's user name and password, kept out of the URL (and out of any output).</summary>
    [Parameter]
    [Credential]
    public PSCredential? BrokerCredential { get; set; }
}
