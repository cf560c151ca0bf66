using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Interop;

/// <summary>
/// Headers holding integers outside 32 bits, as Python Celery (py-amqp) writes them: AMQP tag <c>L</c>, which
/// RabbitMQ.Client 7.2.2 cannot read on its own (issue 11, defect 6).
/// </summary>
public sealed class LongIntegerHeaderTests
{
    private static readonly string PythonDirectory = Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    [Fact]
    public async Task A_python_task_with_a_64_bit_integer_header_runs_and_the_tasks_after_it_are_not_stuck()
    {
        var store = Stores.New(DatabaseProvider.Sqlite);
        var (queue, rawQueue) = (Broker.NewQueue("big-header"), Broker.NewQueue("big-header-raw"));
        await using var running = await RunningWorker.StartAsync(store, w => w.Register("interop.add", (double x, double y) => x + y), queue);
        var (big, plain, raw) = ("big-" + Guid.NewGuid(), "plain-" + Guid.NewGuid(), "raw-" + Guid.NewGuid());

        var sent = CeleryPython.RunScript(Path.Combine(PythonDirectory, "send_big_header.py"), [queue, big, plain, rawQueue, raw],
            new Dictionary<string, string?> { ["CELERY_BROKER_URL"] = Broker.Url });
        Assert.True(sent.Succeeded, sent.ToString());

        Assert.Equal("5", (await Eventually.StatusAsync(store, big, TaskStates.Success, TimeSpan.FromSeconds(30))).Result);
        Assert.Equal("9", (await Eventually.StatusAsync(store, plain, TaskStates.Success)).Result);
        await using var channel = await Broker.RawChannelAsync();
        await Eventually.WaitAsync(async () => await Broker.CountAsync(channel, queue) == 0, "both messages acknowledged");

        // The same headers, read through our connection: signed 64-bit integers, at the top and nested.
        await using var ours = await running.Connection.CreateChannelAsync();
        var message = await Broker.GetAsync(ours, rawQueue);
        Assert.NotNull(message);
        var headers = message.BasicProperties.Headers!;
        Assert.Equal(raw, System.Text.Encoding.UTF8.GetString((byte[])headers["id"]!));
        Assert.Equal(1L << 40, headers["big"]);
        var nested = (IDictionary<string, object?>)headers["nested"]!;
        Assert.Equal(-(1L << 40), nested["n"]);
        Assert.Equal([1L << 50, 1], (IEnumerable<object?>)nested["list"]!);
    }
}
