using System.Net.Sockets;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The socket's stream as RabbitMQ.Client reads it, with what the broker sends passed through an
/// <see cref="InboundFrameFilter"/>. A <see cref="NetworkStream"/> because that is what the client's
/// <see cref="RabbitMQ.Client.ITcpClient.GetStream"/> must return; writes go to the socket unchanged.
/// </summary>
internal sealed class FrameRewritingNetworkStream(Socket socket) : NetworkStream(socket, ownsSocket: false)
{
    private readonly InboundFrameFilter _filter = new();
    private bool _ended;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (buffer.Length > 0 && !_filter.HasOutput && !_ended)
        {
            Received(base.Read(_filter.GetFreeSpace().Span));
        }

        return _filter.Deliver(buffer);
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0 && !_filter.HasOutput && !_ended)
        {
            Received(await base.ReadAsync(_filter.GetFreeSpace(), cancellationToken).ConfigureAwait(false));
        }

        return _filter.Deliver(buffer.Span);
    }

    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    private void Received(int count)
    {
        if (count == 0)
        {
            _ended = true;
            _filter.Complete();
        }
        else
        {
            _filter.Commit(count);
        }
    }
}
