using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FullDbResult.Json;

/// <summary>
/// JSON for args, kwargs, results and meta. Arguments are kept as the JSON text they came in, never
/// re-serialized through a model, so big numbers and key order survive.
/// </summary>
public static class TaskJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static void ValidateArgs(string? args, string context) =>
        ExpectKind(args, JsonValueKind.Array, "args", "a JSON array", context);

    public static void ValidateKwargs(string? kwargs, string context) =>
        ExpectKind(kwargs, JsonValueKind.Object, "kwargs", "a JSON object", context);

    /// <summary>Throws unless <paramref name="json"/> is well-formed JSON.</summary>
    public static void ValidateJson(string? json, string what)
    {
        if (json is null) return;
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{what} is not valid JSON: {ex.Message}", what, ex);
        }
    }

    public static bool IsValidJson(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Serializes a task result. With <paramref name="forceJson"/>, a value that cannot be serialized is stored
    /// as <c>{"value": "&lt;its string form&gt;", "forced_json": true}</c> instead of failing.
    /// </summary>
    public static string SerializeResult(object? value, bool forceJson = true)
    {
        try
        {
            return value switch
            {
                JsonNode node => node.ToJsonString(Options),
                JsonElement element => element.GetRawText(),
                _ => JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), Options),
            };
        }
        catch (Exception ex) when (forceJson && ex is NotSupportedException or JsonException or InvalidOperationException)
        {
            return ForcedJson(value?.ToString() ?? "");
        }
    }

    /// <summary>The forced-JSON wrapper for a value known only by its string form.</summary>
    public static string ForcedJson(string stringForm) =>
        new JsonObject { ["value"] = stringForm, ["forced_json"] = true }.ToJsonString(Options);

    /// <summary>Serializes any JSON-serializable value with the store's settings.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    private static void ExpectKind(string? json, JsonValueKind kind, string field, string expected, string context)
    {
        if (json is null)
            throw new ArgumentException($"{context}: {field} is missing; expected {expected}.", field);
        JsonValueKind actual;
        try
        {
            using var document = JsonDocument.Parse(json);
            actual = document.RootElement.ValueKind;
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{context}: {field} is not valid JSON ({ex.Message}); expected {expected}.", field, ex);
        }
        if (actual != kind)
            throw new ArgumentException($"{context}: {field} is a JSON {actual.ToString().ToLowerInvariant()}; expected {expected}.", field);
    }
}
