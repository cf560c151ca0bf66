namespace FullDbResult.Bench;

/// <summary>
/// Rates of several runs per contender, printed as a table of medians with each median's ratio to a
/// reference row of the same run, so that a shared, loaded machine moves both sides alike.
/// </summary>
public sealed class ResultTable(string title, string unit)
{
    private readonly List<(string Name, List<double> Rates)> _rows = [];

    public void Add(string name, double rate)
    {
        var row = _rows.FirstOrDefault(r => r.Name == name);
        if (row.Rates is null) _rows.Add(row = (name, []));
        row.Rates.Add(rate);
    }

    public double Median(string name) => MedianOf(_rows.First(r => r.Name == name).Rates);

    public void Print(params (string Row, string Reference)[] ratios)
    {
        Console.WriteLine();
        Console.WriteLine($"## {title}  (load: {File.ReadAllText("/proc/loadavg").Trim()})");
        Console.WriteLine($"| {"contender",-60} | {"median " + unit,14} | {"runs",-40} |");
        Console.WriteLine($"|{new string('-', 62)}|{new string('-', 16)}|{new string('-', 42)}|");
        foreach (var (name, rates) in _rows)
            Console.WriteLine($"| {name,-60} | {Format(MedianOf(rates)),14} | {string.Join(" ", rates.Select(Format)),-40} |");
        foreach (var (row, reference) in ratios)
            Console.WriteLine($"ratio: {row} / {reference} = {Median(row) / Median(reference):F2}x");
    }

    // Whole numbers for rates; a decimal for the small ones (megabytes, milliseconds).
    private static string Format(double value) => value.ToString(value >= 100 ? "N0" : "N1");

    private static double MedianOf(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
