namespace FullDbResult.Json;

/// <summary>
/// Old result backends stored a string result bare (<c>done</c> instead of <c>"done"</c>), which no JSON
/// reader accepts. This turns such a value into the JSON string it meant; valid JSON is left alone.
/// </summary>
public static class ResultRepair
{
    /// <summary>The repaired JSON, or null when <paramref name="storedResult"/> needs no repair.</summary>
    public static string? Repair(string? storedResult)
    {
        if (storedResult is null || TaskJson.IsValidJson(storedResult)) return null;
        return TaskJson.Serialize(storedResult);
    }
}
