using System.Text.Json;

namespace FullDbResult.Control;

/// <summary>One worker's reply to a command: its name and the JSON value it answered (<c>{"ok": "pong"}</c>, a list...).</summary>
public sealed record ControlReply(string Worker, JsonElement Value)
{
    /// <summary>The text of an <c>{"ok": ...}</c> reply; null for any other.</summary>
    public string? OkText => Value.ValueKind == JsonValueKind.Object && Value.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.String
        ? ok.GetString()
        : null;

    /// <summary>Reads a reply body, <c>{"&lt;worker&gt;": value, ...}</c>; a body of another form throws <see cref="FormatException"/>.</summary>
    public static IReadOnlyList<ControlReply> Parse(ReadOnlySpan<byte> body)
    {
        JsonElement root;
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(body);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The control reply is not JSON: {ex.Message}", ex);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The control reply is not a JSON object.");
        return root.EnumerateObject().Select(property => new ControlReply(property.Name, property.Value)).ToList();
    }
}
