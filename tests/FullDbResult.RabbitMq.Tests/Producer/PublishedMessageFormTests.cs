using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Storage;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Producer;

/// <summary>What our producer puts on RabbitMQ, read back raw, against what Celery 5.2's send_task put there.</summary>
public sealed class PublishedMessageFormTests
{
    // Headers that name this send (its id, and the sending process) rather than the call.
    private static readonly string[] PerSend = ["id", "root_id", "origin"];

    // RabbitMQ.Client 7 adds this to every message it tracks for publisher confirms; it cannot be turned off
    // while confirms are awaited. A Celery worker ignores it (see the interop test).
    private const string ClientSequenceHeader = "x-dotnet-pub-seq-no";

    [Fact]
    public async Task A_published_task_read_back_raw_has_the_properties_header_types_and_body_of_celerys_send_task()
    {
        using var vector = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "vectors", "send_task_basic.json")));
        var root = vector.RootElement;
        var queue = Broker.NewQueue("form");
        await using var connection = Broker.Connect();
        await using var publisher = new RabbitMqTaskPublisher(connection);

        // The vector's call: app.send_task('proj.add', args=[2, 3], kwargs={'z': 1})
        var id = await new TaskClient(Stores.New(DatabaseProvider.Sqlite), publisher)
            .SendAsync("proj.add", "[2, 3]", """{"z": 1}""", new SendOptions { Queue = queue });

        await using var channel = await Broker.RawChannelAsync();
        var raw = await Broker.GetAsync(channel, queue);
        Assert.NotNull(raw);
        var p = raw.BasicProperties;
        var expected = root.GetProperty("properties");
        Assert.Equal(expected.GetProperty("content_type").GetString(), p.ContentType);
        Assert.Equal(expected.GetProperty("content_encoding").GetString(), p.ContentEncoding);
        Assert.Equal(expected.GetProperty("delivery_mode").GetInt32(), (int)p.DeliveryMode);
        Assert.Equal(expected.GetProperty("priority").GetInt32(), p.Priority);
        Assert.Equal(id, p.CorrelationId);
        Assert.Equal(Convert.FromBase64String(root.GetProperty("body_b64").GetString()!), raw.Body.ToArray());

        var headers = p.Headers!;
        var expectedHeaders = root.GetProperty("headers");
        Assert.Equal(expectedHeaders.EnumerateObject().Select(h => h.Name).Order(), headers.Keys.Where(k => k != ClientSequenceHeader).Order());
        Assert.True(headers[ClientSequenceHeader] is long or int, $"{ClientSequenceHeader} is {headers[ClientSequenceHeader]?.GetType().Name}");
        foreach (var type in root.GetProperty("header_types").EnumerateObject())
            Assert.True(HasPythonType(headers[type.Name], type.Value.GetString()!), $"header {type.Name}: {headers[type.Name]?.GetType().Name ?? "null"} is not Python {type.Value}");
        foreach (var header in expectedHeaders.EnumerateObject().Where(h => !PerSend.Contains(h.Name)))
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(header.Value.GetRawText()), JsonNode.Parse(AsJson(headers[header.Name]))),
                $"header {header.Name}: {AsJson(headers[header.Name])}, Celery sent {header.Value.GetRawText()}");
        Assert.Equal(id, Encoding.UTF8.GetString((byte[])headers["id"]!));
        Assert.Equal(id, Encoding.UTF8.GetString((byte[])headers["root_id"]!));
    }

    // RabbitMQ.Client hands strings over as bytes; an Int16 (AMQP 's') or Int64 would be a type Celery does not send.
    private static bool HasPythonType(object? value, string pythonType) => pythonType switch
    {
        "str" => value is byte[],
        "NoneType" => value is null,
        "int" => value is int,
        "bool" => value is bool,
        "list" => value is IList,
        _ => false,
    };

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string AsJson(object? value) => value switch
    {
        byte[] bytes => JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes), Json),
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(AsJson)) + "]",
        bool b => b ? "true" : "false",
        null => "null",
        _ => JsonSerializer.Serialize(value),
    };
}
