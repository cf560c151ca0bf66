using System.Globalization;
using System.Text.RegularExpressions;

namespace FullDbResult.Protocol;

/// <summary>The ISO 8601 times of the eta and expires headers.</summary>
internal static partial class CeleryTimestamp
{
    /// <summary>As Python's <c>datetime.isoformat()</c> writes an aware UTC time: microseconds only when not zero.</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        long microseconds = utc.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond;
        string seconds = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        return microseconds == 0
            ? seconds + "+00:00"
            : seconds + "." + microseconds.ToString("D6", CultureInfo.InvariantCulture) + "+00:00";
    }

    /// <summary>
    /// Reads what Celery's parser reads: an offset of <c>+HH:MM</c>, <c>Z</c>, or none (taken as UTC here),
    /// seconds and a fraction optional. Unlike Celery, a fraction is read as a fraction (".5" is half a second,
    /// not 5 microseconds), and text after the time is refused rather than ignored.
    /// </summary>
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        var match = Iso8601().Match(text);
        if (!match.Success)
        {
            return false;
        }

        try
        {
            var local = new DateTime(
                Int(match, "year"), Int(match, "month"), Int(match, "day"),
                Int(match, "hour"), Int(match, "minute"), match.Groups["second"].Success ? Int(match, "second") : 0,
                DateTimeKind.Unspecified);
            if (match.Groups["fraction"].Success)
            {
                // Ticks are 100 ns: seven digits; finer digits are dropped.
                local = local.AddTicks(long.Parse(match.Groups["fraction"].Value.PadRight(7, '0')[..7], CultureInfo.InvariantCulture));
            }

            value = new DateTimeOffset(local, Offset(match)).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static TimeSpan Offset(Match match)
    {
        var offset = match.Groups["offset"];
        if (!offset.Success || offset.Value == "Z")
        {
            return TimeSpan.Zero;
        }

        var magnitude = new TimeSpan(Int(match, "offhour"), Int(match, "offminute"), 0);
        return offset.Value[0] == '-' ? -magnitude : magnitude;
    }

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(
        @"^(?<year>[0-9]{4})-(?<month>[0-9]{2})-(?<day>[0-9]{2})[T ](?<hour>[0-9]{2}):(?<minute>[0-9]{2})" +
        @"(:(?<second>[0-9]{2})(\.(?<fraction>[0-9]+))?)?(?<offset>Z|[+-](?<offhour>[0-9]{2}):(?<offminute>[0-9]{2}))?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();
}
