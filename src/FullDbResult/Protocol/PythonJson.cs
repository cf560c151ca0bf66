using System.Text;
using System.Text.Json;

namespace FullDbResult.Protocol;

/// <summary>JSON text laid out as Python's <c>json.dumps</c> writes it, which is how kombu writes a Celery body.</summary>
internal static class PythonJson
{
    /// <summary>About Python's recursion limit: deeper JSON than this Python could neither write nor read.</summary>
    public const int MaxDepth = 1000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Separators <c>", "</c> and <c>": "</c>, every character outside printable ASCII escaped as <c>\uXXXX</c>
    /// (ensure_ascii), so the result is pure ASCII. Number literals are copied as they are, never parsed,
    /// so big integers and floats keep every digit.
    /// </summary>
    /// <exception cref="JsonException">The text is not one valid JSON value, or holds an unpaired surrogate.</exception>
    public static string Format(string json)
    {
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(json);
        }
        catch (EncoderFallbackException e)
        {
            throw new JsonException("The text holds an unpaired surrogate.", e);
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth });
        var output = new StringBuilder(utf8.Length + (utf8.Length / 4));
        bool afterValue = false;
        while (reader.Read())
        {
            if (afterValue && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
            {
                output.Append(", ");
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    AppendString(output, ReadString(ref reader)).Append(": ");
                    break;
                case JsonTokenType.String:
                    AppendString(output, ReadString(ref reader));
                    break;
                case JsonTokenType.Number:
                    output.Append(Encoding.ASCII.GetString(reader.ValueSpan));
                    break;
                default:
                    // The structural tokens and the literals stand as they are; there are no others in JSON read without comments.
                    output.Append(reader.TokenType switch
                    {
                        JsonTokenType.StartArray => "[",
                        JsonTokenType.StartObject => "{",
                        JsonTokenType.EndArray => "]",
                        JsonTokenType.EndObject => "}",
                        JsonTokenType.True => "true",
                        JsonTokenType.False => "false",
                        JsonTokenType.Null => "null",
                        _ => "",
                    });
                    break;
            }

            afterValue = reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject or JsonTokenType.PropertyName);
        }

        return output.ToString();
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // An escaped lone surrogate ("\ud800"): Python reads it, but could not send the repr header made from it.
            throw new JsonException("The text holds an unpaired surrogate.", e);
        }
    }

    private static StringBuilder AppendString(StringBuilder output, string value)
    {
        output.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case >= ' ' and <= '~': output.Append(c); break;
                default: output.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }

        return output.Append('"');
    }
}
