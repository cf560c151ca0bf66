using System.Text;
using System.Text.Json.Nodes;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>Encode, then decode what a RabbitMQ.Client consumer would be handed: nothing is lost.</summary>
public class RoundTripTests
{
    [Fact]
    public void Unicode_and_nested_kwargs_survive_the_round_trip()
    {
        const string args = "[\"héllo wörld\", \"中文\", \"😀\", \"quote\\\" back\\\\slash\\nnew line\"]";
        const string kwargs = "{\"user\": {\"name\": \"Zoë\", \"tags\": [\"a\", {\"deep\": [1, 2, {\"deeper\": null, \"flag\": true}]}]}, \"ratio\": 0.1}";
        var sent = new TaskMessage { Id = "ünïcode-id-✓", Name = "tâche.envoyer", Args = args, Kwargs = kwargs };

        var received = RoundTrip(sent);

        Assert.Equal(sent.Id, received.Id);
        Assert.Equal(sent.Name, received.Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(args), JsonNode.Parse(received.Args)), received.Args);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(kwargs), JsonNode.Parse(received.Kwargs)), received.Kwargs);
        Assert.Equal("😀", JsonNode.Parse(received.Args)![2]!.GetValue<string>());
    }

    [Fact]
    public void Big_integers_and_floats_keep_every_digit()
    {
        const string args = "[123456789012345678901234567890, 0.1000000000000000055511151231257827, 1E400, -0, 2.50]";

        var received = RoundTrip(new TaskMessage { Id = "t", Name = "big", Args = args });

        Assert.Equal(args, received.Args);
    }

    [Fact]
    public void Every_field_survives_the_round_trip()
    {
        var eta = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_010);
        var sent = new TaskMessage
        {
            Id = "child-1",
            Name = "proj.add",
            Args = "[2, 3]",
            Kwargs = "{\"z\": 1}",
            Eta = eta,
            Expires = eta.AddHours(1),
            Retries = 3,
            RootId = "root-0",
            ParentId = "parent-0",
            GroupId = "group-0",
            GroupIndex = 4,
            TimeLimitHard = 30,
            TimeLimitSoft = 1.5,
            Priority = 7,
            Exchange = "tasks",
            RoutingKey = "tasks.add",
            ReplyTo = "reply-queue",
            IgnoreResult = true,
            Shadow = "proj.add_shadow",
            Origin = "gen1@host",
            ArgsRepr = "(2, 3)",
            KwargsRepr = "{'z': 1}",
            Headers = new Dictionary<string, object?>
            {
                ["x_text"] = "hello",
                ["x_flag"] = false,
                ["x_big"] = 5_000_000_000L,
                ["x_ratio"] = 0.25,
                ["x_none"] = null,
                ["x_list"] = new List<object?> { 1, "two", new List<object?> { 3.5 } },
                ["x_table"] = new Dictionary<string, object?> { ["k"] = "v", ["n"] = 1 },
            },
            Callbacks = "[{\"task\": \"proj.notify\", \"args\": [], \"kwargs\": {}}]",
            Errbacks = "[{\"task\": \"proj.on_error\"}]",
            Chain = "[{\"task\": \"proj.mul\", \"args\": [4]}]",
            Chord = "{\"task\": \"proj.tsum\"}",
        };

        var received = RoundTrip(sent);

        Assert.Equivalent(sent, received, strict: true);
    }

    private static TaskMessage RoundTrip(TaskMessage sent)
    {
        var wire = CeleryProtocol.Encode(sent);
        var delivered = wire with { Headers = wire.Headers.ToDictionary(header => header.Key, header => AsRabbitMqClientDelivers(header.Value)) };

        var result = CeleryProtocol.Decode(delivered);

        Assert.True(result.Succeeded, result.Error);
        return result.Message;
    }

    /// <summary>RabbitMQ.Client reads AMQP long strings back as UTF-8 bytes.</summary>
    private static object? AsRabbitMqClientDelivers(object? value) => value switch
    {
        string text => Encoding.UTF8.GetBytes(text),
        List<object?> list => list.Select(AsRabbitMqClientDelivers).ToList(),
        Dictionary<string, object?> table => table.ToDictionary(item => item.Key, item => AsRabbitMqClientDelivers(item.Value)),
        _ => value,
    };
}
