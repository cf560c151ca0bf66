using FullDbResult.RabbitMq;

namespace FullDbResult.PowerShell;

/// <summary>
/// Which broker a command sends to, and where it was named, first match wins: -BrokerUrl, the session
/// (-Session or Connect-FullDbResult -BrokerUrl), FULLDBRESULT_BROKER_URL, the local default. -BrokerCredential
/// supplies the user and password, so that a password need not be typed into a URL; it is percent-encoded here,
/// so any character works.
/// </summary>
internal sealed class ResolvedBroker
{
    private ResolvedBroker(string url, string source)
    {
        Url = url;
        Source = source;
    }

    /// <summary>The URL with its credentials: for the connection only, never for output.</summary>
    public string Url { get; }

    public string Source { get; }

    public string Redacted => SecretRedactor.RedactUrl(Url);

    /// <summary>Whether the URL is one RabbitMqConnection takes; it connects only on first use.</summary>
    public bool IsValid
    {
        get
        {
            try
            {
                Open("FullDbResult PowerShell", new PipelineLog()).DisposeAsync().AsTask().GetAwaiter().GetResult();
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    /// <summary>A connection to the broker, opened on first use, that logs its drops and recoveries to <paramref name="log"/>.</summary>
    /// <exception cref="ArgumentException">The URL is not valid; the message shows it redacted.</exception>
    public RabbitMqConnection Open(string clientName, PipelineLog log) => log.Create<RabbitMqConnection>(Url, clientName);

    /// <summary>The URL the user named by parameter or session, without looking at the environment; null when none was.</summary>
    public static ResolvedBroker? Given(string? brokerUrl, PSCredential? credential, string source) =>
        string.IsNullOrWhiteSpace(brokerUrl) && credential is null ? null : Resolve(brokerUrl, credential, null, source);

    public static ResolvedBroker Resolve(string? brokerUrl, PSCredential? credential, ResolvedBroker? session, string givenSource = "-BrokerUrl")
    {
        ResolvedBroker resolved;
        if (!string.IsNullOrWhiteSpace(brokerUrl)) resolved = new(brokerUrl, givenSource);
        else if (session is not null) resolved = session;
        else if (Environment.GetEnvironmentVariable(RabbitMqConnection.BrokerUrlVariable) is { Length: > 0 } fromEnvironment)
            resolved = new(fromEnvironment, RabbitMqConnection.BrokerUrlVariable);
        else resolved = new(RabbitMqConnection.ResolveUrl(null), "the local default");
        return credential is null ? resolved : new(WithCredential(resolved.Url, credential), resolved.Source + " with -BrokerCredential");
    }

    // The user information runs from the scheme to the last @, as SecretRedactor reads it.
    private static string WithCredential(string url, PSCredential credential)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return url;
        var authority = scheme + 3;
        var at = url.LastIndexOf('@');
        var rest = at >= authority ? url[(at + 1)..] : url[authority..];
        var userInfo = Uri.EscapeDataString(credential.UserName) + ":" + Uri.EscapeDataString(credential.GetNetworkCredential().Password);
        return url[..authority] + userInfo + "@" + rest;
    }
}
