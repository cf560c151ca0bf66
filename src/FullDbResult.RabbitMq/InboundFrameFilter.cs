using System.Buffers.Binary;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Frames the bytes a broker sends, whatever the read boundaries, and passes method and content-header frames
/// through <see cref="LongIntegerTagRewriter"/> once each is whole. Those frames are held until complete (they
/// are small); body and heartbeat frames pass as they arrive. A frame type that AMQP 0-9-1 does not define
/// (a protocol-version reply such as <c>AMQP\0\0\9\1</c>, or garbage) turns the filter into a plain pass-through,
/// so the client sees exactly what it would have seen without it.
/// </summary>
/// <remarks>
/// Use: write received bytes into <see cref="GetFreeSpace"/> and <see cref="Commit"/> them, then
/// <see cref="Deliver"/> while <see cref="HasOutput"/>. Asks for input only when nothing is ready to deliver.
/// </remarks>
internal sealed class InboundFrameFilter
{
    private const int HeaderSize = 7, EndSize = 1, MinimumRead = 16 * 1024, MaxHeldFrame = 64 * 1024 * 1024;
    private const byte BodyFrame = 3, HeartbeatFrame = 8;

    private byte[] _buffer = new byte[MinimumRead];
    // [_start, _released) is ready for the reader; [_released, _end) is an incomplete frame still being framed.
    private int _start, _released, _end;
    // Bytes of a body or heartbeat frame still to pass without holding them.
    private long _passing;
    private bool _passAll;

    /// <summary>How many <c>L</c> tags were rewritten so far.</summary>
    public int Rewritten { get; private set; }

    public bool HasOutput => _released > _start;

    /// <summary>Where the next received bytes go; room for at least the rest of the frame being held.</summary>
    public Memory<byte> GetFreeSpace()
    {
        if (HasOutput) throw new InvalidOperationException("Deliver what is ready before reading more.");
        var held = _end - _start;
        Array.Copy(_buffer, _start, _buffer, 0, held);
        (_start, _released, _end) = (0, 0, held);
        var needed = Math.Max(held + MinimumRead, HeldFrameSize ?? 0);
        if (_buffer.Length < needed) Array.Resize(ref _buffer, needed);
        return _buffer.AsMemory(_end);
    }

    public void Commit(int count)
    {
        _end += count;
        Scan();
    }

    /// <summary>The connection ended: whatever is held goes to the reader as it is.</summary>
    public void Complete() => _released = _end;

    public int Deliver(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _released - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    // The whole size of the method or content-header frame held at _released, once its header has arrived
    // (Scan has passed anything else on).
    private int? HeldFrameSize => _end - _released >= HeaderSize && !_passAll && _passing == 0 ? (int)FrameSize() : null;

    private long FrameSize() => HeaderSize + (long)BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_released + 3)) + EndSize;

    private void Scan()
    {
        while (_released < _end)
        {
            if (_passAll)
            {
                _released = _end;
                return;
            }

            if (_passing > 0)
            {
                var count = (int)Math.Min(_passing, _end - _released);
                _released += count;
                _passing -= count;
                continue;
            }

            if (_end - _released < HeaderSize) return;
            var type = _buffer[_released];
            switch (type)
            {
                case BodyFrame or HeartbeatFrame:
                    _passing = FrameSize();
                    continue;
                case LongIntegerTagRewriter.MethodFrame or LongIntegerTagRewriter.ContentHeaderFrame:
                    var size = FrameSize();
                    // A method or header frame this large is not one a broker sends; let the client judge it.
                    if (size > MaxHeldFrame)
                    {
                        _passAll = true;
                        continue;
                    }

                    if (_end - _released < size) return;
                    Rewritten += LongIntegerTagRewriter.RewritePayload(type, _buffer.AsSpan(_released + HeaderSize, (int)size - HeaderSize - EndSize));
                    _released += (int)size;
                    continue;
                default:
                    _passAll = true;
                    continue;
            }
        }
    }
}
