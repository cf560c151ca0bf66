using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using FullDbResult.Testing;

namespace FullDbResult.RabbitMq.Tests.Connection;

/// <summary>A private broker with an amqps:// listener, shared by the tests of one class.</summary>
public sealed class TlsBroker : IDisposable
{
    public RabbitMqServer Server { get; } = RabbitMqServer.StartNewWithTls();

    public string AmqpsUrl => Server.AmqpsUri!.ToString();

    public string CaCertificateFile => Server.CertificateAuthority!.CaCertificateFile;

    /// <summary>A connection to the amqps:// listener that trusts the test authority, and only it, besides the client's own checks.</summary>
    public RabbitMqConnection ConnectTrusting()
    {
        var connection = new RabbitMqConnection(AmqpsUrl, "fulldbresult tls tests");
        var authority = X509Certificate2.CreateFromPem(File.ReadAllText(CaCertificateFile));
        var tls = connection.Tls!;
        tls.CertificateValidationCallback = (_, certificate, _, errors) =>
        {
            // The chain is checked here against the test authority; every other error counts as the client counts it.
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors & ~tls.AcceptablePolicyErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is X509Certificate2 server && chain.Build(server);
        };
        return connection;
    }

    public void Dispose() => Server.Dispose();
}
