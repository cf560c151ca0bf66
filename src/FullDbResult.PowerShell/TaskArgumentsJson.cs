using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace FullDbResult.PowerShell;

/// <summary>
/// Turns what a PowerShell user passes as a task's arguments into the JSON that Celery sends: text is taken
/// as JSON already (what Get-TaskResult writes, so records pipe back in); arrays, hashtables, custom objects,
/// strings, numbers, booleans and dates become their JSON. Anything else is refused by name rather than sent
/// as some string form the task would not expect.
/// </summary>
internal static class TaskArgumentsJson
{
    /// <summary>Positional arguments: JSON text, or values (one value is a list of one).</summary>
    public static string? Args(object? value) => Unwrap(value) switch
    {
        null => null,
        string json when json.TrimStart().StartsWith('[') => json,
        string => throw new ArgumentException(
            "args is text but not a JSON array. Text is read as JSON: pass one string argument as @('text') or '[\"text\"]'.", nameof(value)),
        IEnumerable values and not IDictionary => ToNode(values, "args")!.ToJsonString(),
        var single => new JsonArray(ToNode(single, "args")).ToJsonString(),
    };

    /// <summary>Keyword arguments: JSON text, a hashtable or a custom object.</summary>
    public static string? Kwargs(object? value) => Unwrap(value) switch
    {
        null => null,
        string json => json,
        IDictionary or PSCustomObject => ToNode(value, "kwargs")!.ToJsonString(),
        var other => throw new ArgumentException(
            $"kwargs must be a hashtable or a JSON object as text, not {other.GetType().FullName}.", nameof(value)),
    };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static JsonNode? ToNode(object? value, string path)
    {
        // A custom object's base is an empty placeholder: its data is in the PSObject's properties.
        if (value is PSObject { BaseObject: PSCustomObject } custom)
        {
            var properties = new JsonObject();
            foreach (var property in custom.Properties)
                properties[property.Name] = ToNode(property.Value, $"{path}.{property.Name}");
            return properties;
        }
        var plain = Unwrap(value);
        return plain switch
        {
            null => null,
            string or char or Guid => JsonValue.Create(Convert.ToString(plain, CultureInfo.InvariantCulture)),
            bool flag => JsonValue.Create(flag),
            int or long or short or byte or sbyte or uint or ushort or ulong => JsonValue.Create(Convert.ToDecimal(plain, CultureInfo.InvariantCulture)),
            double or float or decimal => JsonValue.Create(Convert.ToDouble(plain, CultureInfo.InvariantCulture)),
            // Celery's JSON encoder sends times as ISO 8601 text.
            DateTime time => JsonValue.Create(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            DateTimeOffset time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
            IDictionary dictionary => ToObject(dictionary, path),
            IEnumerable items => new JsonArray(items.Cast<object?>().Select((item, index) => ToNode(item, $"{path}[{index}]")).ToArray()),
            var other => throw new ArgumentException(
                $"{path} holds a {other.GetType().FullName}, which has no JSON form; pass strings, numbers, booleans, dates, arrays and hashtables.",
                nameof(value)),
        };
    }

    private static JsonObject ToObject(IDictionary dictionary, string path)
    {
        var json = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            var key = Convert.ToString(Unwrap(entry.Key), CultureInfo.InvariantCulture)!;
            json[key] = ToNode(entry.Value, $"{path}.{key}");
        }
        return json;
    }
}
