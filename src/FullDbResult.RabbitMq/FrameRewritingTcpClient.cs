using System.Net.Sockets;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The socket RabbitMQ.Client opens through <see cref="ConnectionFactoryBase.SocketFactory"/>, as the client's
/// default one (no Nagle delay), whose stream rewrites the header tags the client cannot read
/// (<see cref="LongIntegerTagRewriter"/>).
/// </summary>
internal sealed class FrameRewritingTcpClient(Socket socket) : TcpClientAdapter(socket)
{
    public static ITcpClient Create(AddressFamily addressFamily) =>
        new FrameRewritingTcpClient(new Socket(addressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });

    public override NetworkStream GetStream() => new FrameRewritingNetworkStream(Client);
}
