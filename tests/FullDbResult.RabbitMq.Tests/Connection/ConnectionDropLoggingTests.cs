using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Connection;

/// <summary>A connection that keeps dropping is logged as an error every time, with the count and the broker's reason.</summary>
public sealed class ConnectionDropLoggingTests
{
    [Fact]
    public async Task Each_drop_is_logged_as_an_error_with_how_many_drops_came_before_and_the_brokers_reason()
    {
        var clientName = "drop-logging " + Guid.NewGuid();
        var logger = new RecordingLogger<RabbitMqConnection>();
        await using var connection = new RabbitMqConnection(Broker.Url, clientName, logger);
        await connection.VerifyAsync();

        for (var drop = 1; drop <= 2; drop++)
        {
            await Eventually.WaitAsync(() => Task.FromResult(BrokerConnectionPid(clientName) is not null), "the connection to be open");
            RabbitMqServer.Shared.RunCtl("close_connection", BrokerConnectionPid(clientName)!, $"test drop {drop}");
            await Eventually.WaitAsync(() => Task.FromResult(logger.Entries.Any(e => e.Message.Contains($"({drop} drops since it opened") && e.Message.Contains("recovered"))),
                $"recovery {drop} to be logged");
        }

        var errors = logger.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message).ToList();
        Assert.Contains(errors, m => m.Contains("(1 drops since it opened") && m.Contains("CONNECTION_FORCED - test drop 1"));
        Assert.Contains(errors, m => m.Contains("(2 drops since it opened") && m.Contains("CONNECTION_FORCED - test drop 2"));
        Assert.All(logger.Entries, e => Assert.DoesNotContain("guest:guest", e.Message));
    }

    private static string? BrokerConnectionPid(string clientName) =>
        RabbitMqServer.Shared.RunCtl("list_connections", "pid", "client_properties", "--no-table-headers", "--silent")
            .Split('\n').FirstOrDefault(line => line.Contains(clientName))?.Split('\t')[0].Trim();
}
