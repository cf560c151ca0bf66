using System.Globalization;

namespace FullDbResult.Protocol;

/// <summary>
/// Typed reads of normalized header values. A header that is absent reads as null; a value of another
/// type than its meaning allows is a failure, never a guess (a retries of "3" or of 2^40 is refused).
/// </summary>
internal sealed class HeaderReader(IReadOnlyDictionary<string, object?> headers)
{
    public string? String(string name) => headers.GetValueOrDefault(name) switch
    {
        null => null,
        string text => text,
        var other => throw Invalid(name, "a string", other),
    };

    public int? Int(string name) => headers.GetValueOrDefault(name) switch
    {
        null => null,
        int number => number,
        var other => throw Invalid(name, "a 32-bit integer", other),
    };

    public bool? Bool(string name) => headers.GetValueOrDefault(name) switch
    {
        null => null,
        bool flag => flag,
        var other => throw Invalid(name, "a boolean", other),
    };

    public DateTimeOffset? Timestamp(string name)
    {
        if (String(name) is not { } text)
        {
            return null;
        }

        return CeleryTimestamp.TryParse(text, out var time)
            ? time
            : throw new DecodeFailedException(DecodeFailureReason.InvalidTimestamp, $"header '{name}' is not an ISO 8601 time: '{text}'");
    }

    /// <summary>Celery's <c>[hard, soft]</c> pair, in seconds. RabbitMQ.Client reads an empty list as null.</summary>
    public (double? Hard, double? Soft) TimeLimits() => headers.GetValueOrDefault(CeleryHeaders.TimeLimit) switch
    {
        null => (null, null),
        List<object?> { Count: 2 } pair => (Seconds(pair[0]), Seconds(pair[1])),
        var other => throw Invalid(CeleryHeaders.TimeLimit, "a list [hard, soft]", other),
    };

    private static double? Seconds(object? value) => value switch
    {
        null => null,
        int number => number,
        long number => number,
        double number => number,
        var other => throw Invalid(CeleryHeaders.TimeLimit, "a list of two numbers of seconds", other),
    };

    private static DecodeFailedException Invalid(string name, string expected, object? actual) =>
        new(DecodeFailureReason.InvalidHeader, $"header '{name}' must be {expected} or null, not {Describe(actual)}");

    private static string Describe(object? value) => value switch
    {
        string text => $"the string '{text}'",
        byte[] => "bytes that are not UTF-8",
        IFormattable scalar => $"{value.GetType().Name} {scalar.ToString(null, CultureInfo.InvariantCulture)}",
        _ => value!.GetType().Name,
    };
}
