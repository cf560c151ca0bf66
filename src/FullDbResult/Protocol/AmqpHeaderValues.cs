using System.Collections;
using System.Text;

namespace FullDbResult.Protocol;

/// <summary>
/// Brings AMQP header values to the few types both sides of the wire agree on: string, bool, int,
/// long (only outside the int range), double, null, <c>List&lt;object?&gt;</c> and <c>Dictionary&lt;string, object?&gt;</c>.
/// </summary>
/// <remarks>
/// RabbitMQ.Client hands a consumer long strings as UTF-8 <c>byte[]</c>, arrays as <c>List&lt;object?&gt;</c>,
/// tables as <c>Dictionary&lt;string, object?&gt;</c>, and the narrower AMQP numbers as their own CLR types.
/// On the way out, an Int16 would be written as AMQP type <c>s</c>, which py-amqp reads as a short string
/// and a Celery consumer then fails on, so every integer is widened to Int32 here.
/// Values of other types (RabbitMQ.Client's AmqpTimestamp and BinaryTableValue, or bytes that are not UTF-8)
/// are returned unchanged: this layer knows no RabbitMQ types, and the decoder refuses them where it reads them.
/// </remarks>
public static class AmqpHeaderValues
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Dictionary<string, object?> Normalize(IEnumerable<KeyValuePair<string, object?>>? headers)
    {
        var normalized = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (headers is null)
        {
            return normalized;
        }

        foreach (var (name, value) in headers)
        {
            normalized[name] = NormalizeValue(value);
        }

        return normalized;
    }

    public static object? NormalizeValue(object? value) => value switch
    {
        null or string or bool or int or double => value,
        byte[] bytes => TryDecodeUtf8(bytes) ?? (object)bytes,
        sbyte or byte or short or ushort => Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture),
        uint n => Narrow(n),
        long n => Narrow(n),
        ulong n when n <= long.MaxValue => Narrow((long)n),
        float f => (double)f,
        // AMQP decimals are rare in headers and Python reads them as Decimal; a double keeps them usable.
        decimal d => (double)d,
        IEnumerable<KeyValuePair<string, object?>> table => Normalize(table),
        IList list => NormalizeList(list),
        _ => value,
    };

    /// <summary>True when <paramref name="value"/> is already of a type that <see cref="NormalizeValue"/> produces, all the way down.</summary>
    internal static bool IsWireSafe(object? value) => value switch
    {
        null or string or bool or int or double => true,
        long n => n is < int.MinValue or > int.MaxValue,
        List<object?> list => list.TrueForAll(IsWireSafe),
        Dictionary<string, object?> table => table.Values.All(IsWireSafe),
        _ => false,
    };

    private static object Narrow(long n) => n is >= int.MinValue and <= int.MaxValue ? (int)n : (object)n;

    private static List<object?> NormalizeList(IList list)
    {
        var normalized = new List<object?>(list.Count);
        foreach (var item in list)
        {
            normalized.Add(NormalizeValue(item));
        }

        return normalized;
    }

    private static string? TryDecodeUtf8(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
