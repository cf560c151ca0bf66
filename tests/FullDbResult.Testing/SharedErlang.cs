namespace FullDbResult.Testing;

/// <summary>
/// What the nodes of one test cluster share: the Erlang cookie (nodes with different cookies refuse each other)
/// and the epmd port (a node finds the others' distribution ports through it).
/// </summary>
internal sealed record SharedErlang(string Cookie, int EpmdPort)
{
    public static string NewCookie() => new(Random.Shared.GetItems("ABCDEFGHIJKLMNOPQRSTUVWXYZ".ToCharArray(), 20));
}
