using System.Globalization;
using FullDbResult.Storage;

namespace FullDbResult.Dashboard.Pages;

/// <summary>
/// Finished and failed tasks per minute as an inline SVG: two lines over the same minutes, the y axis from zero
/// to the busiest minute, an hour mark along the bottom. No script, so it reads the same in any browser.
/// </summary>
internal static class ActivityChart
{
    private const int Width = 900, Height = 200, Left = 48, Bottom = 22, Top = 10;

    public static string Render(DateTime from, DateTime to, IReadOnlyList<TaskActivity> succeeded, IReadOnlyList<TaskActivity> failed)
    {
        var start = new DateTime(from.Ticks - from.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var minutes = Math.Max(1, (int)Math.Ceiling((to - start).TotalMinutes));
        var max = Math.Max(1, succeeded.Concat(failed).Select(a => a.Count).DefaultIfEmpty(0).Max());
        double X(int minute) => Left + (Width - Left - 4) * (double)minute / minutes;
        double Y(long count) => Top + (Height - Top - Bottom) * (1 - (double)count / max);
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        string Line(IReadOnlyList<TaskActivity> series, string color, string label)
        {
            var counts = new long[minutes];
            foreach (var a in series)
            {
                var i = (int)(a.Minute - start).TotalMinutes;
                if (i >= 0 && i < minutes) counts[i] = a.Count;
            }
            var points = string.Join(" ", counts.Select((c, i) => $"{F(X(i))},{F(Y(c))}"));
            return $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"><title>{label}</title></polyline>";
        }

        var svg = new Html().Raw($"<svg role=\"img\" aria-label=\"Tasks finished and failed per minute\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" style=\"background:#fbfcfe;border:1px solid #ddd\">");
        svg.Raw($"<line x1=\"{Left}\" y1=\"{F(Y(0))}\" x2=\"{Width - 4}\" y2=\"{F(Y(0))}\" stroke=\"#999\"/>");
        svg.Raw($"<text x=\"{Left - 6}\" y=\"{F(Y(max) + 4)}\" text-anchor=\"end\" font-size=\"11\">{Html.Number(max)}</text>");
        svg.Raw($"<text x=\"{Left - 6}\" y=\"{F(Y(0) + 4)}\" text-anchor=\"end\" font-size=\"11\">0</text>");
        for (var hour = start.AddMinutes(60 - start.Minute); hour < to; hour = hour.AddHours(1))
        {
            var x = F(X((int)(hour - start).TotalMinutes));
            svg.Raw($"<line x1=\"{x}\" y1=\"{Top}\" x2=\"{x}\" y2=\"{F(Y(0))}\" stroke=\"#e3e3e3\"/>");
            svg.Raw($"<text x=\"{x}\" y=\"{Height - 6}\" text-anchor=\"middle\" font-size=\"11\">{hour:HH:mm}</text>");
        }
        svg.Raw(Line(succeeded, "#17693a", "succeeded per minute")).Raw(Line(failed, "#b3261e", "failed per minute")).Raw("</svg>");
        var legend = $"<p class=\"note\"><span style=\"color:#17693a\">■</span> succeeded per minute ({Html.Number(succeeded.Sum(a => a.Count))} in all) " +
            $"<span style=\"color:#b3261e\">■</span> failed per minute ({Html.Number(failed.Sum(a => a.Count))} in all), by the minute of their last change</p>";
        return svg + legend;
    }
}
