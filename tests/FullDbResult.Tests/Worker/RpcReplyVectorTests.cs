using System.Text.Json;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Worker;

/// <summary>Our rpc replies against what Celery 5.2's rpc:// backend really published (vectors/rpc_result_messages.json).</summary>
public sealed class RpcReplyVectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "rpc_result_messages.json"))).RootElement;

    public static TheoryData<string, int> Messages => new() { { "success", 0 }, { "success", 1 }, { "failure", 0 }, { "failure", 1 } };

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_reply_carries_the_properties_routing_and_body_keys_celerys_rpc_backend_sends(string vector, int index)
    {
        var real = Vectors.GetProperty(vector).GetProperty("messages")[index];
        var body = real.GetProperty("body_decoded");
        var properties = real.GetProperty("properties");
        var routingKey = real.GetProperty("delivery_info").GetProperty("routing_key").GetString()!;

        var ours = RpcReplies.Reply(body.GetProperty("task_id").GetString()!, routingKey, body.GetProperty("status").GetString()!,
            body.GetProperty("result").GetRawText(), body.GetProperty("traceback").GetString());

        Assert.Equal(("", routingKey), (ours.Exchange, ours.RoutingKey));
        Assert.Equal(properties.GetProperty("content_type").GetString(), ours.ContentType);
        Assert.Equal(properties.GetProperty("content_encoding").GetString(), ours.ContentEncoding);
        Assert.Equal(properties.GetProperty("correlation_id").GetString(), ours.CorrelationId);
        Assert.Equal((byte?)properties.GetProperty("delivery_mode").GetByte(), ours.DeliveryMode);
        Assert.Equal((byte?)properties.GetProperty("priority").GetByte(), ours.Priority);
        Assert.Null(ours.ReplyTo);
        Assert.Empty(ours.Headers);
        using var ourBody = JsonDocument.Parse(ours.Body);
        Assert.Equal(body.EnumerateObject().Select(p => p.Name), ourBody.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(JsonElement.DeepEquals(body, ourBody.RootElement), ourBody.RootElement.GetRawText());
    }
}
