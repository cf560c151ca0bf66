using System.Text.Json;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>The codec against real messages that Celery 5.2 published (tests/FullDbResult.Tests/vectors).</summary>
public class CeleryVectorTests
{
    /// <summary>Process-specific (Celery's reply queue and node name) or relative to the send time: checked apart.</summary>
    private static readonly string[] NotComparedExactly = ["reply_to", "origin", "expiration"];

    public static TheoryData<string> SendTaskVectors => new(CeleryVector.SendTaskNames());

    [Fact]
    public void Every_send_task_vector_has_the_call_that_made_it_written_down() =>
        Assert.Equal(CeleryVector.SendTaskNames(), SentByCelery.Calls.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(SendTaskVectors))]
    public void Decoding_what_celery_sent_gives_the_call_that_sent_it(string vectorName)
    {
        var vector = CeleryVector.Load(vectorName);
        var (call, _) = SentByCelery.Calls[vectorName];

        var result = CeleryProtocol.Decode(vector.AsDelivered());

        Assert.True(result.Succeeded, result.Error);
        var message = result.Message;
        Assert.Equal(call.Id, result.TaskId);
        Assert.Equal(call.Id, message.Id);
        Assert.Equal(call.Name, message.Name);
        Assert.Equal(call.Args, message.Args);
        Assert.Equal(call.Kwargs, message.Kwargs);
        Assert.Equal(call.Eta, message.Eta);
        Assert.Equal(call.Expires, message.Expires);
        Assert.Equal(call.Retries, message.Retries);
        Assert.Equal(call.Id, message.RootId);
        Assert.Null(message.ParentId);
        Assert.Null(message.GroupId);
        Assert.Null(message.GroupIndex);
        Assert.Equal(call.TimeLimitHard, message.TimeLimitHard);
        Assert.Equal(call.TimeLimitSoft, message.TimeLimitSoft);
        Assert.Equal(call.Priority ?? 0, message.Priority);
        Assert.Equal(call.Exchange, message.Exchange);
        Assert.Equal(call.RoutingKey, message.RoutingKey);
        Assert.Equal(vector.Property("reply_to"), message.ReplyTo);
        Assert.Equal(call.IgnoreResult, message.IgnoreResult);
        Assert.Equal(call.Shadow, message.Shadow);
        Assert.Equal("gen11807@vm", message.Origin);
        Assert.Equal(vector.Header("argsrepr"), message.ArgsRepr);
        Assert.Equal(vector.Header("kwargsrepr"), message.KwargsRepr);
        Assert.Equal(call.Headers, message.Headers);
        Assert.Null(message.Callbacks);
        Assert.Null(message.Errbacks);
        Assert.Null(message.Chain);
        Assert.Null(message.Chord);
    }

    [Theory]
    [MemberData(nameof(SendTaskVectors))]
    public void Encoding_the_call_gives_the_properties_celery_sent(string vectorName)
    {
        var vector = CeleryVector.Load(vectorName);
        var (call, sentAt) = SentByCelery.Calls[vectorName];

        var wire = CeleryProtocol.Encode(call, new FixedClock(sentAt));

        var ours = new Dictionary<string, string?>
        {
            ["content_type"] = wire.ContentType,
            ["content_encoding"] = wire.ContentEncoding,
            ["correlation_id"] = wire.CorrelationId,
            ["delivery_mode"] = wire.DeliveryMode?.ToString(),
            ["priority"] = wire.Priority?.ToString(),
            ["expiration"] = wire.Expiration,
        }.Where(property => property.Value is not null).ToDictionary();
        var celerys = vector.Properties.EnumerateObject()
            .Where(property => property.Name != "reply_to")
            .ToDictionary(property => property.Name, property => (string?)property.Value.ToString());
        Assert.Equal(celerys.Keys.Order(), ours.Keys.Order());
        foreach (var (name, value) in celerys.Where(property => !NotComparedExactly.Contains(property.Key)))
        {
            Assert.True(value == ours[name], $"property {name}: Celery sent {value}, we send {ours[name]}");
        }

        if (celerys.TryGetValue("expiration", out string? celeryExpiration))
        {
            // Milliseconds from the send: our clock is set to Celery's send time, to the microsecond it printed.
            Assert.InRange(long.Parse(wire.Expiration!), long.Parse(celeryExpiration!) - 1, long.Parse(celeryExpiration!) + 1);
        }
    }

    [Theory]
    [MemberData(nameof(SendTaskVectors))]
    public void Encoding_the_call_gives_every_header_celery_sent_with_its_value_and_type(string vectorName)
    {
        var vector = CeleryVector.Load(vectorName);
        var (call, sentAt) = SentByCelery.Calls[vectorName];

        var wire = CeleryProtocol.Encode(call, new FixedClock(sentAt));

        Assert.Equal(vector.Headers.EnumerateObject().Select(header => header.Name).Order(), wire.Headers.Keys.Order());
        foreach (var header in vector.Headers.EnumerateObject())
        {
            object? ours = wire.Headers[header.Name];
            string pythonType = vector.HeaderTypes.GetProperty(header.Name).GetString()!;
            Assert.True(IsOfPythonType(pythonType, ours), $"header {header.Name}: Celery sent a {pythonType}, we send {ours?.GetType().Name ?? "null"}");
            Assert.True(AmqpHeaderValues.IsWireSafe(ours), $"header {header.Name} has no AMQP form that Celery reads");
            if (!NotComparedExactly.Contains(header.Name))
            {
                AssertSameValue(header.Value, ours, header.Name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SendTaskVectors))]
    public void Encoding_the_call_gives_the_body_celery_sent_byte_for_byte(string vectorName)
    {
        var vector = CeleryVector.Load(vectorName);
        var (call, sentAt) = SentByCelery.Calls[vectorName];

        var wire = CeleryProtocol.Encode(call, new FixedClock(sentAt));

        Assert.Equal(vector.Body, wire.Body.ToArray());
    }

    [Theory]
    [MemberData(nameof(SendTaskVectors))]
    public void Encoding_the_call_routes_it_where_celery_did(string vectorName)
    {
        var vector = CeleryVector.Load(vectorName);
        var (call, sentAt) = SentByCelery.Calls[vectorName];

        var wire = CeleryProtocol.Encode(call, new FixedClock(sentAt));

        Assert.Equal(vector.Exchange, wire.Exchange);
        Assert.Equal(vector.RoutingKey, wire.RoutingKey);
    }

    private static bool IsOfPythonType(string pythonType, object? value) => pythonType switch
    {
        "str" => value is string,
        "NoneType" => value is null,
        "bool" => value is bool,
        "int" => value is int or long,
        "float" => value is double,
        "list" => value is List<object?>,
        "dict" => value is Dictionary<string, object?>,
        _ => false,
    };

    private static void AssertSameValue(JsonElement celerys, object? ours, string where)
    {
        switch (celerys.ValueKind)
        {
            case JsonValueKind.Array:
                var list = Assert.IsType<List<object?>>(ours);
                Assert.True(celerys.GetArrayLength() == list.Count, $"{where}: Celery sent {celerys}, we send {list.Count} items");
                int i = 0;
                foreach (var item in celerys.EnumerateArray())
                {
                    AssertSameValue(item, list[i], $"{where}[{i}]");
                    i++;
                }

                break;
            case JsonValueKind.Number when ours is double number:
                Assert.True(celerys.GetDouble() == number, $"{where}: Celery sent {celerys}, we send {number}");
                break;
            default:
                object? expected = celerys.ValueKind switch
                {
                    JsonValueKind.String => celerys.GetString(),
                    JsonValueKind.Number => celerys.GetInt64(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => null,
                };
                object? actual = ours is int small ? (long)small : ours;
                Assert.True(Equals(expected, actual), $"{where}: Celery sent {celerys}, we send {ours ?? "null"}");
                break;
        }
    }
}
