using System.Net;
using System.Text;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>What Encode does beyond what the Celery vectors show.</summary>
public class EncodeTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly TaskMessage Add = new() { Id = "task-1", Name = "proj.add", Args = "[2, 3]" };

    [Fact]
    public void Headers_come_in_the_order_celery_writes_them() =>
        Assert.Equal(
            ["lang", "task", "id", "shadow", "eta", "expires", "group", "group_index", "retries", "timelimit",
             "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin", "ignore_result"],
            CeleryProtocol.Encode(Add).Headers.Keys);

    [Fact]
    public void Root_id_is_the_task_id_unless_given()
    {
        Assert.Equal("task-1", CeleryProtocol.Encode(Add).Headers["root_id"]);
        Assert.Equal("root-0", CeleryProtocol.Encode(Add with { RootId = "root-0" }).Headers["root_id"]);
    }

    [Fact]
    public void Priority_is_zero_unless_given_as_kombu_sends_it()
    {
        Assert.Equal((byte)0, CeleryProtocol.Encode(Add).Priority);
        Assert.Equal((byte)9, CeleryProtocol.Encode(Add with { Priority = 9 }).Priority);
    }

    [Fact]
    public void Expiration_counts_whole_milliseconds_from_the_clock_to_expires() =>
        Assert.Equal("1999", CeleryProtocol.Encode(Add with { Expires = Now.AddTicks(19_999_999) }, new FixedClock(Now)).Expiration);

    [Fact]
    public void Expiration_is_zero_once_expires_has_passed_so_the_broker_drops_what_it_cannot_deliver_at_once() =>
        Assert.Equal("0", CeleryProtocol.Encode(Add with { Expires = Now.AddMinutes(-1) }, new FixedClock(Now)).Expiration);

    [Fact]
    public void Without_expires_there_is_no_expiration() =>
        Assert.Null(CeleryProtocol.Encode(Add).Expiration);

    [Fact]
    public void Eta_and_expires_go_in_utc_to_the_microsecond()
    {
        var eta = new DateTimeOffset(2030, 1, 2, 5, 4, 5, TimeSpan.FromHours(2)).AddTicks(1_234_567);

        var headers = CeleryProtocol.Encode(Add with { Eta = eta, Expires = eta }, new FixedClock(Now)).Headers;

        Assert.Equal("2030-01-02T03:04:05.123456+00:00", headers["eta"]);
        Assert.Equal("2030-01-02T03:04:05.123456+00:00", headers["expires"]);
    }

    [Fact]
    public void Whole_time_limits_go_as_int32_and_fractional_ones_as_double() =>
        Assert.Equal(
            new List<object?> { 30, 1.5 },
            CeleryProtocol.Encode(Add with { TimeLimitHard = 30, TimeLimitSoft = 1.5 }).Headers["timelimit"]);

    [Fact]
    public void A_custom_int16_header_goes_as_int32_because_an_int16_breaks_celerys_consumer()
    {
        var headers = CeleryProtocol.Encode(Add with { Headers = new Dictionary<string, object?> { ["x_attempt"] = (short)2 } }).Headers;

        Assert.IsType<int>(headers["x_attempt"]);
    }

    [Fact]
    public void A_custom_header_may_not_replace_one_of_celerys() =>
        Assert.Throws<ArgumentException>(() =>
            CeleryProtocol.Encode(Add with { Headers = new Dictionary<string, object?> { ["retries"] = 5 } }));

    [Fact]
    public void A_custom_header_with_no_amqp_form_that_celery_reads_is_refused() =>
        Assert.Throws<ArgumentException>(() =>
            CeleryProtocol.Encode(Add with { Headers = new Dictionary<string, object?> { ["x_when"] = DateTime.UtcNow } }));

    [Fact]
    public void Argsrepr_and_kwargsrepr_given_are_sent_as_given()
    {
        var headers = CeleryProtocol.Encode(Add with { ArgsRepr = "(<redacted>)", KwargsRepr = "" }).Headers;

        Assert.Equal("(<redacted>)", headers["argsrepr"]);
        Assert.Equal("", headers["kwargsrepr"]);
    }

    [Fact]
    public void Args_and_kwargs_are_written_as_kombu_writes_them_whatever_their_layout()
    {
        var wire = CeleryProtocol.Encode(Add with { Args = "[1,{\"a\":\"é\"}]", Kwargs = "{ \"b\" : [ ] }" });

        Assert.StartsWith("[[1, {\"a\": \"\\u00e9\"}], {\"b\": []}, {\"callbacks\": null", Encoding.ASCII.GetString(wire.Body.Span));
    }

    [Fact]
    public void Embedded_signatures_go_into_the_body_as_json()
    {
        var wire = CeleryProtocol.Encode(Add with { Chain = "[{\"task\":\"proj.mul\",\"args\":[4]}]" });

        Assert.EndsWith(
            "{\"callbacks\": null, \"errbacks\": null, \"chain\": [{\"task\": \"proj.mul\", \"args\": [4]}], \"chord\": null}]",
            Encoding.ASCII.GetString(wire.Body.Span));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[1,")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\"2, 3\"")]
    public void Args_that_are_not_a_json_array_are_refused(string args) =>
        Assert.Throws<ArgumentException>(() => CeleryProtocol.Encode(Add with { Args = args }));

    [Theory]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("null")]
    public void Kwargs_that_are_not_a_json_object_are_refused(string kwargs) =>
        Assert.Throws<ArgumentException>(() => CeleryProtocol.Encode(Add with { Kwargs = kwargs }));

    [Fact]
    public void An_embedded_signature_that_is_not_json_is_refused() =>
        Assert.Throws<ArgumentException>(() => CeleryProtocol.Encode(Add with { Callbacks = "[{task: x}]" }));

    [Fact]
    public void A_message_needs_an_id_and_a_task_name()
    {
        Assert.Throws<ArgumentException>(() => CeleryProtocol.Encode(Add with { Id = "" }));
        Assert.Throws<ArgumentException>(() => CeleryProtocol.Encode(Add with { Name = "" }));
    }

    [Fact]
    public void Origin_is_celerys_anonymous_node_name_for_this_process_unless_given()
    {
        Assert.Equal($"gen{Environment.ProcessId}@{Dns.GetHostName()}", CeleryProtocol.Encode(Add).Headers["origin"]);
        Assert.Equal("worker1@host", CeleryProtocol.Encode(Add with { Origin = "worker1@host" }).Headers["origin"]);
    }

    [Fact]
    public void Reply_to_is_sent_only_when_given()
    {
        Assert.Null(CeleryProtocol.Encode(Add).ReplyTo);
        Assert.Equal("reply-queue", CeleryProtocol.Encode(Add with { ReplyTo = "reply-queue" }).ReplyTo);
    }
}
