using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The socket RabbitMQ.Client opens through <see cref="ConnectionFactoryBase.SocketFactory"/>, as the client's
/// default one (no Nagle delay), whose stream rewrites the header tags the client cannot read
/// (<see cref="LongIntegerTagRewriter"/>).
/// </summary>
/// <remarks>
/// On amqps:// the client's own TLS would wrap this stream and leave the filter only ciphertext, so TLS is done
/// here instead, once connected, with the settings the client would have used (<see cref="SslOption"/>: server
/// name, protocols, revocation check, client certificates, and the validation callback or else the same
/// acceptable-policy-errors check as the client's), and the client's own TLS is turned off.
/// </remarks>
internal sealed class FrameRewritingTcpClient(Socket socket, SslOption? tls) : TcpClientAdapter(socket)
{
    private NetworkStream? _stream;
    private string? _refusal;

    public static ITcpClient Create(AddressFamily addressFamily) => new FrameRewritingTcpClient(NewSocket(addressFamily), tls: null);

    /// <summary>A socket factory that does TLS with <paramref name="tls"/>, read at each connect.</summary>
    public static Func<AddressFamily, ITcpClient> WithTls(SslOption tls) =>
        addressFamily => new FrameRewritingTcpClient(NewSocket(addressFamily), tls);

    public override async Task ConnectAsync(IPAddress ep, int port, CancellationToken cancellationToken = default)
    {
        await base.ConnectAsync(ep, port, cancellationToken).ConfigureAwait(false);
        if (tls is null) return;
        var sslStream = new SslStream(new NetworkStream(Client, ownsSocket: false), leaveInnerStreamOpen: false,
            tls.CertificateValidationCallback ?? AcceptsOnlyAcceptablePolicyErrors, tls.CertificateSelectionCallback);
        try
        {
            await sslStream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = tls.ServerName,
                EnabledSslProtocols = tls.Version,
                CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                ClientCertificates = tls.Certs,
                ClientCertificateContext = tls.ClientCertificateContext,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await sslStream.DisposeAsync().ConfigureAwait(false);
            // SslStream says only that the callback rejected the certificate; say why.
            if (_refusal is not null) throw new AuthenticationException(_refusal, ex);
            throw;
        }

        _stream = new FrameRewritingNetworkStream(Client, sslStream);
    }

    public override NetworkStream GetStream() => _stream ?? new FrameRewritingNetworkStream(Client);

    private bool AcceptsOnlyAcceptablePolicyErrors(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var refused = errors & ~tls!.AcceptablePolicyErrors;
        if (refused == SslPolicyErrors.None) return true;
        var chainStatus = string.Join("; ", chain?.ChainStatus.Select(status => status.StatusInformation.Trim()) ?? []);
        _refusal = $"The broker's certificate '{certificate?.Subject}' for '{tls.ServerName}' was refused: {refused}" +
            (chainStatus.Length > 0 ? $" ({chainStatus})." : ".");
        return false;
    }

    private static Socket NewSocket(AddressFamily addressFamily) =>
        new(addressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
}
