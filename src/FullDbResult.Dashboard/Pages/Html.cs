using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace FullDbResult.Dashboard.Pages;

/// <summary>Builds a page's HTML. Every value from the store goes through <see cref="E"/>; nothing else is written raw.</summary>
internal sealed class Html
{
    private readonly StringBuilder _text = new();

    public static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string Time(DateTime? time) =>
        time is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Appends markup the page wrote itself (literal tags, encoded values).</summary>
    public Html Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public Html Text(string? value) => Raw(E(value));

    public override string ToString() => _text.ToString();
}
