using System.Net;
using System.Net.Sockets;

namespace FullDbResult.Testing;

/// <summary>
/// Picks loopback TCP ports for the private servers. A port from bind-to-0 lies in the kernel's ephemeral
/// range, where any outgoing connection (RabbitMQ's own, to its epmd) may take it in the seconds before the
/// server binds it; so ports are drawn at random below that range and checked free by binding them.
/// </summary>
internal static class FreePort
{
    private const int Lowest = 20000;
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        var highest = Math.Max(EphemeralRangeStart(), Lowest + 1000) - 1;
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Lowest, highest + 1);
                if (!HandedOut.Contains(port) && IsFree(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free loopback port between {Lowest} and {highest}.");
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) ? int.Parse(File.ReadAllText(range).Split('\t', ' ')[0]) : 32768;
    }
}
