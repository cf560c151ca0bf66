using System.Globalization;

namespace FullDbResult.Protocol;

/// <summary>Python's <c>repr(float)</c>, as Celery's argsrepr shows floats.</summary>
internal static class PythonFloat
{
    /// <summary>
    /// The shortest digits that round-trip (.NET Core 3.0 and later find the same ones Python does), laid out
    /// as Python lays them out: positional from 1e-4 up to below 1e16, always with a fractional part,
    /// and otherwise as <c>d.ddde+XX</c> with at least two exponent digits.
    /// </summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0)
        {
            return sign + "0.0";
        }

        var (digits, point) = ShortestDigits(Math.Abs(value));
        return sign + (point is > -4 and <= 16 ? Positional(digits, point) : Scientific(digits, point));
    }

    /// <summary>Digits without leading or trailing zeros, and where the decimal point goes: value = 0.digits × 10^point.</summary>
    private static (string Digits, int Point) ShortestDigits(double magnitude)
    {
        string text = magnitude.ToString("R", CultureInfo.InvariantCulture);
        int exponentAt = text.IndexOf('E');
        int exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        string mantissa = exponentAt < 0 ? text : text[..exponentAt];
        int dot = mantissa.IndexOf('.');
        string integer = dot < 0 ? mantissa : mantissa[..dot];
        string digits = integer + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        int point = integer.Length + exponent;

        int leadingZeros = digits.Length - digits.TrimStart('0').Length;
        return (digits.Trim('0'), point - leadingZeros);
    }

    private static string Positional(string digits, int point)
    {
        if (point <= 0)
        {
            return "0." + new string('0', -point) + digits;
        }

        return point >= digits.Length
            ? digits + new string('0', point - digits.Length) + ".0"
            : digits[..point] + "." + digits[point..];
    }

    private static string Scientific(string digits, int point)
    {
        int exponent = point - 1;
        string mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("D2", CultureInfo.InvariantCulture);
    }
}
