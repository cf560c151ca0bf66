using System.Text.Json;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>python_cases.json: what Celery 5.2.6 itself made of sample args and kwargs (see generate_python_cases.py).</summary>
internal static class PythonCases
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Protocol", "python_cases.json"))));

    /// <summary>(json, expected) for every case of <paramref name="kind"/> ("args" or "kwargs") that has <paramref name="field"/>.</summary>
    public static TheoryData<string, string> Of(string kind, string field)
    {
        var data = new TheoryData<string, string>();
        foreach (var item in Document.Value.RootElement.GetProperty(kind).EnumerateArray())
        {
            if (item.GetProperty(field).GetString() is { } expected)
            {
                data.Add(item.GetProperty("json").GetString()!, expected);
            }
        }

        return data;
    }
}
