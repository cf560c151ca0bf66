using System.Buffers.Binary;

namespace FullDbResult.RabbitMq;

/// <summary>
/// Rewrites the field-value tag <c>L</c> to <c>l</c> in the field tables of one AMQP 0-9-1 frame payload from
/// the broker. py-amqp writes every int outside 32 bits as <c>L</c>; RabbitMQ reads <c>L</c> as a signed 64-bit
/// integer, exactly like <c>l</c>, and passes it on, but RabbitMQ.Client 7.2.2 does not know the tag and closes
/// the connection, so the message comes back for ever. Both tags carry eight bytes, so the payload keeps its
/// length. Tables are walked with every tag's width as RabbitMQ's parser reads it (AMQP 0-9-1 plus RabbitMQ's
/// errata); at a tag it does not know, or a length that runs past its container, the walk stops and the rest
/// is left as it came, for the client to judge.
/// </summary>
internal static class LongIntegerTagRewriter
{
    public const byte MethodFrame = 1;
    public const byte ContentHeaderFrame = 2;

    private const ushort ConnectionClass = 10, ConnectionStartMethod = 10, BasicClass = 60;
    private const ushort ContentTypeFlag = 0x8000, ContentEncodingFlag = 0x4000, HeadersFlag = 0x2000, ContinuationFlag = 0x0001;

    /// <summary>Rewrites in place; returns how many tags it changed.</summary>
    public static int RewritePayload(byte frameType, Span<byte> payload) => frameType switch
    {
        MethodFrame => RewriteMethod(payload),
        ContentHeaderFrame => RewriteContentHeader(payload),
        _ => 0,
    };

    // Of the methods a broker sends, only connection.start carries a field table (its server properties);
    // basic.deliver, basic.get-ok and basic.return carry the message's headers in the content header instead.
    private static int RewriteMethod(Span<byte> payload)
    {
        if (payload.Length < 4) return 0;
        var (classId, methodId) = (BinaryPrimitives.ReadUInt16BigEndian(payload), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        if (classId != ConnectionClass || methodId != ConnectionStartMethod) return 0;
        // version-major and version-minor octets, then the server-properties table.
        var position = 6;
        var changed = 0;
        TryTable(payload, ref position, ref changed);
        return changed;
    }

    // class-id, weight, body-size, then property flags and the basic class's properties in flag order:
    // content-type and content-encoding (short strings) come before the headers table.
    private static int RewriteContentHeader(Span<byte> payload)
    {
        var position = 12;
        if (payload.Length < position + 2 || BinaryPrimitives.ReadUInt16BigEndian(payload) != BasicClass) return 0;
        var flags = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
        position += 2;
        for (var more = flags; (more & ContinuationFlag) != 0; position += 2)
        {
            if (payload.Length < position + 2) return 0;
            more = BinaryPrimitives.ReadUInt16BigEndian(payload[position..]);
        }

        if ((flags & HeadersFlag) == 0) return 0;
        if ((flags & ContentTypeFlag) != 0 && !TrySkipShortString(payload, ref position)) return 0;
        if ((flags & ContentEncodingFlag) != 0 && !TrySkipShortString(payload, ref position)) return 0;
        var changed = 0;
        TryTable(payload, ref position, ref changed);
        return changed;
    }

    /// <summary>A table at <paramref name="position"/>: a 32-bit length, then (short-string name, value) pairs.</summary>
    private static bool TryTable(Span<byte> span, ref int position, ref int changed)
    {
        if (!TryContainer(span, ref position, out var content)) return false;
        var inner = 0;
        while (inner < content.Length)
        {
            if (!TrySkipShortString(content, ref inner) || !TryValue(content, ref inner, ref changed)) return false;
        }

        return true;
    }

    /// <summary>An array at <paramref name="position"/>: a 32-bit length, then values.</summary>
    private static bool TryArray(Span<byte> span, ref int position, ref int changed)
    {
        if (!TryContainer(span, ref position, out var content)) return false;
        var inner = 0;
        while (inner < content.Length)
        {
            if (!TryValue(content, ref inner, ref changed)) return false;
        }

        return true;
    }

    /// <summary>A tag and its value.</summary>
    private static bool TryValue(Span<byte> span, ref int position, ref int changed)
    {
        if (position >= span.Length) return false;
        var tag = span[position];
        if (tag == (byte)'L')
        {
            span[position] = (byte)'l';
            changed++;
        }

        position++;
        switch ((char)tag)
        {
            case 'F': return TryTable(span, ref position, ref changed);
            case 'A': return TryArray(span, ref position, ref changed);
            case 'S' or 'x': return TryContainer(span, ref position, out _);
            default:
                var width = FixedWidth(tag);
                if (width < 0 || span.Length - position < width) return false;
                position += width;
                return true;
        }
    }

    /// <summary>The width of a fixed-size value, or -1 for a tag RabbitMQ does not read.</summary>
    private static int FixedWidth(byte tag) => (char)tag switch
    {
        'V' => 0,
        't' or 'b' or 'B' => 1,
        // 's' is a signed 16-bit integer in RabbitMQ's errata (the 0-9-1 text's short string is not used), 'U' the spec's.
        's' or 'u' or 'U' => 2,
        'I' or 'i' or 'f' => 4,
        // Decimal: a scale octet and a 32-bit value.
        'D' => 5,
        'l' or 'L' or 'd' or 'T' => 8,
        _ => -1,
    };

    /// <summary>A 32-bit length and that many bytes, which must lie inside <paramref name="span"/>.</summary>
    private static bool TryContainer(Span<byte> span, ref int position, out Span<byte> content)
    {
        content = default;
        if (span.Length - position < 4) return false;
        var length = BinaryPrimitives.ReadUInt32BigEndian(span[position..]);
        position += 4;
        if (length > (uint)(span.Length - position)) return false;
        content = span.Slice(position, (int)length);
        position += (int)length;
        return true;
    }

    private static bool TrySkipShortString(ReadOnlySpan<byte> span, ref int position)
    {
        if (position >= span.Length) return false;
        var length = span[position];
        if (span.Length - position - 1 < length) return false;
        position += 1 + length;
        return true;
    }
}
