using System.Buffers.Binary;
using System.Text;

namespace FullDbResult.RabbitMq.Tests.Transport;

/// <summary>
/// Writes AMQP 0-9-1 frames and field values byte by byte, with explicit tags, for the frame rewriter's tests.
/// <c>longTag</c> is the tag written for 64-bit integers: <c>L</c> as py-amqp writes it, <c>l</c> as it must reach the client.
/// </summary>
internal sealed class AmqpFrameBuilder(char longTag)
{
    public static byte[] Frame(byte type, ushort channel, byte[] payload)
    {
        var frame = new byte[7 + payload.Length + 1];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = 0xCE;
        return frame;
    }

    /// <summary>connection.start: version 0-9, the server properties, mechanisms and locales.</summary>
    public byte[] ConnectionStart(IEnumerable<(string Name, byte[] Value)> serverProperties) =>
        [.. U16(10), .. U16(10), 0, 9, .. Table(serverProperties), .. LongString("PLAIN AMQPLAIN"), .. LongString("en_US")];

    /// <summary>basic.deliver: consumer tag, delivery tag, redelivered, exchange, routing key; no field table.</summary>
    public static byte[] BasicDeliver(string consumerTag, ulong deliveryTag, string routingKey) =>
        [.. U16(60), .. U16(60), .. ShortString(consumerTag), .. U64(deliveryTag), 0, .. ShortString(""), .. ShortString(routingKey)];

    /// <summary>A basic content header with content type, content encoding, headers, delivery mode and correlation id.</summary>
    public static byte[] ContentHeader(ulong bodySize, byte[] headersTable, string contentType = "application/json", string correlationId = "id-1") =>
        [.. U16(60), .. U16(0), .. U64(bodySize), .. U16(0x8000 | 0x4000 | 0x2000 | 0x1000 | 0x0400),
         .. ShortString(contentType), .. ShortString("utf-8"), .. headersTable, 2, .. ShortString(correlationId)];

    public byte[] Table(IEnumerable<(string Name, byte[] Value)> fields) =>
        Sized(fields.SelectMany(field => (byte[])[.. ShortString(field.Name), .. field.Value]).ToArray());

    public byte[] Array(params byte[][] values) => Sized(values.SelectMany(v => v).ToArray());

    public byte[] Long(long value) => [(byte)longTag, .. I64(value)];
    public static byte[] SignedLong(long value) => [(byte)'l', .. I64(value)];
    public byte[] NestedTable(params (string Name, byte[] Value)[] fields) => [(byte)'F', .. Table(fields)];
    public byte[] NestedArray(params byte[][] values) => [(byte)'A', .. Array(values)];
    public static byte[] LongStringValue(string text) => [(byte)'S', .. LongString(text)];
    public static byte[] Bytes(byte[] bytes) => [(byte)'x', .. Sized(bytes)];

    /// <summary>One value of every other tag RabbitMQ reads, with contents that look like tags where they can.</summary>
    public static IEnumerable<byte[]> EveryOtherTag() =>
    [
        [(byte)'t', 1], [(byte)'b', (byte)'L'], [(byte)'B', (byte)'L'], [(byte)'s', (byte)'L', (byte)'L'], [(byte)'u', 0, (byte)'L'],
        [(byte)'U', (byte)'L', 0], [(byte)'I', .. "LLLL"u8], [(byte)'i', .. "LlLl"u8], [(byte)'f', .. "LLLL"u8],
        [(byte)'d', .. "LLLLLLLL"u8], [(byte)'D', 2, .. "LLLL"u8], [(byte)'T', .. "LLLLLLLL"u8], [(byte)'V'],
        [(byte)'l', .. "LLLLLLLL"u8], LongStringValue("LL L"), Bytes("L\0L"u8.ToArray()),
    ];

    public static byte[] ShortString(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)bytes.Length, .. bytes];
    }

    public static byte[] LongString(string text) => Sized(Encoding.UTF8.GetBytes(text));

    private static byte[] Sized(byte[] content) => [.. U32((uint)content.Length), .. content];

    private static byte[] U16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] I64(long value) => U64((ulong)value);
}
