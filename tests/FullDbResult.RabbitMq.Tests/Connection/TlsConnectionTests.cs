using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Connection;

/// <summary>
/// amqps:// to a real broker with a TLS listener: the TLS is done by our socket (so the 64-bit <c>L</c> header
/// rewrite still applies), and the broker's certificate is checked as strictly as RabbitMQ.Client checks it.
/// </summary>
public sealed class TlsConnectionTests(TlsBroker broker) : IClassFixture<TlsBroker>
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    [Fact]
    public async Task Over_amqps_a_python_task_with_a_64_bit_integer_header_runs_and_the_task_after_it_is_not_stuck()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var (queue, rawQueue) = (Broker.NewQueue("tls-big-header"), Broker.NewQueue("tls-big-header-raw"));
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.add", (double x, double y) => x + y), queue,
            connection: broker.ConnectTrusting());
        var (big, plain, raw) = ("big-" + Guid.NewGuid(), "plain-" + Guid.NewGuid(), "raw-" + Guid.NewGuid());

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_big_header.py"), [queue, big, plain, rawQueue, raw],
            new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = broker.AmqpsUrl, ["CELERY_BROKER_CA"] = broker.CaCertificateFile });
        Assert.True(sent.Succeeded, sent.ToString());

        Assert.Equal("5", (await Eventually.StatusAsync(store, big, TaskStates.Success, TimeSpan.FromSeconds(30))).Result);
        Assert.Equal("9", (await Eventually.StatusAsync(store, plain, TaskStates.Success)).Result);
        await using var channel = await running.Connection.CreateChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, queue) == 0, "both messages acknowledged");
        var message = await Broker.GetAsync(channel, rawQueue);
        Assert.NotNull(message);
        var nested = (IDictionary<string, object?>)message.BasicProperties.Headers!["nested"]!;
        Assert.Equal(-(1L << 40), nested["n"]);
        Assert.Equal([1L << 50, 1], (IEnumerable<object?>)nested["list"]!);
    }

    [Fact]
    public async Task Over_amqps_a_broker_certificate_from_an_authority_the_machine_does_not_trust_is_refused_with_the_reason()
    {
        await using var connection = new RabbitMqConnection(broker.AmqpsUrl, "fulldbresult tls tests");

        var refused = await Assert.ThrowsAsync<RabbitMqUnavailableException>(() => connection.VerifyAsync());

        Assert.Contains("TLS handshake failed", refused.Message);
        Assert.Contains("RemoteCertificateChainErrors", refused.Message);
        Assert.Contains("CN=localhost", refused.Message);
        Assert.DoesNotContain("guest:guest", refused.Message);
    }
}
