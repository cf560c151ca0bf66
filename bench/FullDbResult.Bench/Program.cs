using FullDbResult.Bench;

// dotnet run -c Release --project bench/FullDbResult.Bench -- dispatch <scheduled rows> [batch size] [dispatchers]
if (args is ["dispatch", var count, .. var rest])
{
    var batch = rest.Length > 0 ? int.Parse(rest[0]) : 500;
    var dispatchers = rest.Length > 1 ? int.Parse(rest[1]) : 1;
    await DispatchBenchmark.RunAsync(int.Parse(count), batch, dispatchers);
    return 0;
}
// dotnet run -c Release --project bench/FullDbResult.Bench -- sizing <rows>
if (args is ["sizing", var sizingRows])
{
    await SizingBenchmark.RunAsync(int.Parse(sizingRows));
    return 0;
}
// dotnet run -c Release --project bench/FullDbResult.Bench -- dashboard <rows>
if (args is ["dashboard", var rows])
{
    await DashboardBenchmark.RunAsync(BenchSizes.Quick with { PostgresQueryRows = int.Parse(rows) });
    return 0;
}
// dotnet run -c Release --project bench/FullDbResult.Bench -- quick|full [comparison ...]
if (args is [var mode, .. var only] && BenchSizes.Parse(mode) is { } sizes)
{
    await Comparisons.RunAsync(sizes, only);
    return 0;
}
Console.Error.WriteLine("usage: FullDbResult.Bench dispatch <scheduled rows> [batch size] [dispatchers]");
Console.Error.WriteLine("       FullDbResult.Bench sizing <rows>");
Console.Error.WriteLine("       FullDbResult.Bench dashboard <rows>");
Console.Error.WriteLine($"       FullDbResult.Bench quick|full [{string.Join('|', Comparisons.Names)} ...]");
return 2;
