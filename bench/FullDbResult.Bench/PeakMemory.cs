namespace FullDbResult.Bench;

/// <summary>
/// The process's peak resident set (Linux VmHWM), reset at the start of the measured phase so set-up does not
/// count, and the peak managed heap sampled while the phase runs.
/// </summary>
public sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peakHeap;

    private PeakMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // "5" resets the peak resident set to the current one (proc(5), clear_refs).
        File.WriteAllText("/proc/self/clear_refs", "5");
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peakHeap = Math.Max(_peakHeap, GC.GetTotalMemory(false));
                try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    public static PeakMemory Start() => new();

    public long StartResidentBytes { get; } = ReadStatus("VmRSS:");

    public long PeakResidentBytes => ReadStatus("VmHWM:");

    public long PeakHeapBytes => _peakHeap;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _sampler;
    }

    private static long ReadStatus(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field))[field.Length..].Trim().Split(' ')[0]) * 1024;
}
