using System.Text.Json;
using FullDbResult.Control;
using Xunit;

namespace FullDbResult.Tests.Control;

/// <summary>The control-command model against what Celery 5.2 really sent and answered (tests/FullDbResult.Tests/vectors/pidbox).</summary>
public sealed class PidboxVectorTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors", "pidbox");

    public static TheoryData<string> Vectors() => new(Directory.GetFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_command_celery_sent_parses_with_its_method_ticket_and_reply_address(string name)
    {
        var vector = Load(name);
        var sent = vector.GetProperty("command")[0];
        var expected = sent.GetProperty("body_decoded");

        var command = ControlCommand.Parse(Convert.FromBase64String(sent.GetProperty("body_b64").GetString()!));

        Assert.Equal(expected.GetProperty("method").GetString(), command.Method);
        Assert.Equal(expected.TryGetProperty("ticket", out var ticket) ? ticket.GetString() : null, command.Ticket);
        Assert.Equal(expected.TryGetProperty("reply_to", out var replyTo) ? replyTo.GetProperty("routing_key").GetString() : null, command.ReplyRoutingKey);
        Assert.Equal(command.Ticket is not null, command.WantsReply);
        Assert.True(command.IsFor("capture@vm"));
    }

    [Fact]
    public void A_revoke_carries_its_ids_as_celery_sends_them_a_list_from_the_cli_and_a_string_from_app_control()
    {
        var fromCli = Command("control_revoke");
        var fromApp = Command("app_control_revoke");
        var terminate = Command("app_control_revoke_terminate_sigkill");

        Assert.Single(fromCli.StringsArgument("task_id"));
        Assert.Single(fromApp.StringsArgument("task_id"));
        Assert.False(fromApp.BoolArgument("terminate"));
        Assert.Equal((true, "SIGKILL"), (terminate.BoolArgument("terminate"), terminate.StringArgument("signal")));
        Assert.Equal("SIGTERM", Command("control_terminate").StringArgument("signal"));
    }

    [Fact]
    public void A_command_with_a_destination_is_only_for_the_workers_it_names()
    {
        var command = Command("app_inspect_ping_destination");

        Assert.True(command.IsFor("capture@vm"));
        Assert.False(command.IsFor("other@vm"));
    }

    [Theory]
    [InlineData("glob", "capture@*", "capture@vm", true)]
    [InlineData("glob", "capture@*", "other@vm", false)]
    [InlineData("pcre", "^cap.*@vm$", "capture@vm", true)]
    [InlineData("pcre", "(", "capture@vm", false)]
    [InlineData("unknown", ".*", "capture@vm", false)]
    public void A_pattern_and_matcher_select_workers_as_kombu_does(string matcher, string pattern, string worker, bool expected) =>
        Assert.Equal(expected, new ControlCommand { Method = "ping", Pattern = pattern, Matcher = matcher }.IsFor(worker));

    [Fact]
    public void What_we_send_parses_back_to_the_same_command_and_has_the_fields_kombu_reads()
    {
        var revoke = ControlCommand.Revoke(["a", "b"], terminate: true, "SIGKILL") with { Ticket = "t", ReplyExchange = "reply.celery.pidbox", ReplyRoutingKey = "k" };

        var json = JsonSerializer.Deserialize<JsonElement>(revoke.ToJson());
        var back = ControlCommand.Parse(revoke.ToJson());

        Assert.Equal(["arguments", "destination", "matcher", "method", "pattern", "reply_to", "ticket"], json.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(("revoke", "t", "k", true), (back.Method, back.Ticket, back.ReplyRoutingKey, back.BoolArgument("terminate")));
        Assert.Equal(["a", "b"], back.StringsArgument("task_id"));
    }

    [Fact]
    public void Replies_celery_sent_parse_to_the_worker_and_its_value()
    {
        var pong = ControlReply.Parse(Convert.FromBase64String(Load("inspect_ping").GetProperty("replies")[0].GetProperty("body_b64").GetString()!));
        var active = ControlReply.Parse(Convert.FromBase64String(Load("inspect_active").GetProperty("replies")[0].GetProperty("body_b64").GetString()!));

        Assert.Equal(("capture@vm", "pong"), (Assert.Single(pong).Worker, pong[0].OkText));
        Assert.Equal("control.sleep", Assert.Single(active).Value[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("""{"arguments": {}}""", "no method")]
    [InlineData("""{"method": "ping", "arguments": [1]}""", "arguments are not a JSON object")]
    [InlineData("""{"method": "ping", "destination": 5}""", "destination is not a string or a list of strings")]
    [InlineData("""{"method": 7}""", "method is not a string")]
    public void A_malformed_command_is_a_format_error_saying_why(string body, string reason)
    {
        var error = Assert.Throws<FormatException>(() => ControlCommand.Parse(System.Text.Encoding.UTF8.GetBytes(body)));
        Assert.Contains(reason, error.Message);
    }

    private static ControlCommand Command(string name) =>
        ControlCommand.Parse(Convert.FromBase64String(Load(name).GetProperty("command")[0].GetProperty("body_b64").GetString()!));

    private static JsonElement Load(string name) =>
        JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(Folder, name + ".json")));
}
