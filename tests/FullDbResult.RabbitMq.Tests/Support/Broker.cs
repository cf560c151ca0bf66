using FullDbResult.Testing;
using RabbitMQ.Client;

namespace FullDbResult.RabbitMq.Tests.Support;

/// <summary>The shared test broker, seen from a test: unique queue names, raw publishing and reading.</summary>
public static class Broker
{
    public static string Url => RabbitMqServer.Shared.AmqpUri.ToString();

    public static RabbitMqConnection Connect(RabbitMqServer? server = null) =>
        new((server ?? RabbitMqServer.Shared).AmqpUri.ToString(), "fulldbresult tests");

    /// <summary>A queue name no other test uses, so tests on the shared broker stay apart.</summary>
    public static string NewQueue(string purpose) => $"test.{purpose}.{Guid.NewGuid():N}";

    /// <summary>A plain client connection for tests to publish and read raw messages, as any other program would.</summary>
    public static async Task<IChannel> RawChannelAsync(RabbitMqServer? server = null)
    {
        var factory = new ConnectionFactory { Uri = (server ?? RabbitMqServer.Shared).AmqpUri };
        var connection = await factory.CreateConnectionAsync();
        return await connection.CreateChannelAsync();
    }

    public static async Task DeclareAsync(IChannel channel, string queue) =>
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);

    /// <summary>Waits for one message on <paramref name="queue"/>; null when none comes within the time.</summary>
    public static async Task<BasicGetResult?> GetAsync(IChannel channel, string queue, TimeSpan? within = null, bool autoAck = true)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        do
        {
            var result = await channel.BasicGetAsync(queue, autoAck);
            if (result is not null) return result;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    public static async Task<uint> CountAsync(IChannel channel, string queue) =>
        (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
}
