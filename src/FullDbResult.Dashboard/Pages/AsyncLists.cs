namespace FullDbResult.Dashboard.Pages;

/// <summary>The store streams its listings; a page holds at most one page of them (net8.0 has no System.Linq.AsyncEnumerable).</summary>
internal static class AsyncLists
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(cancellationToken)) list.Add(item);
        return list;
    }
}
