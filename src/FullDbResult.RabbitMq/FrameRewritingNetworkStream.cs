using System.Net.Security;
using System.Net.Sockets;

namespace FullDbResult.RabbitMq;

/// <summary>
/// The socket's stream as RabbitMQ.Client reads it, with what the broker sends passed through an
/// <see cref="InboundFrameFilter"/>. A <see cref="NetworkStream"/> because that is what the client's
/// <see cref="RabbitMQ.Client.ITcpClient.GetStream"/> must return. Without <paramref name="tls"/> bytes move on
/// the socket itself and writes go out unchanged; with it (amqps://) both directions go through that
/// <see cref="SslStream"/> over the socket, so the filter sees the broker's plaintext frames.
/// </summary>
internal sealed class FrameRewritingNetworkStream(Socket socket, SslStream? tls = null) : NetworkStream(socket, ownsSocket: false)
{
    private readonly InboundFrameFilter _filter = new();
    private bool _ended;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (buffer.Length > 0 && !_filter.HasOutput && !_ended)
        {
            var space = _filter.GetFreeSpace().Span;
            Received(tls is null ? base.Read(space) : tls.Read(space));
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
            var space = _filter.GetFreeSpace();
            Received(await (tls is null ? base.ReadAsync(space, cancellationToken) : tls.ReadAsync(space, cancellationToken)).ConfigureAwait(false));
        }

        return _filter.Deliver(buffer.Span);
    }

    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (tls is null) base.Write(buffer);
        else tls.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        tls is null ? base.WriteAsync(buffer, cancellationToken) : tls.WriteAsync(buffer, cancellationToken);

    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    public override void Flush() => tls?.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => tls?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    protected override void Dispose(bool disposing)
    {
        if (disposing) tls?.Dispose();
        base.Dispose(disposing);
    }

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
