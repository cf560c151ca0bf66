using System.Text;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

/// <summary>A message the worker cannot run is refused with a reason, never an exception, and keeps its task id when it can be read.</summary>
public class DecodeFailureTests
{
    private const string TaskId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    public static TheoryData<string, object?> HeadersOfTheWrongType => new()
    {
        { "retries", 5_000_000_000L },
        { "retries", "3" },
        { "retries", Encoding.UTF8.GetBytes("3") },
        { "retries", 1.0 },
        { "retries", true },
        { "group_index", "0" },
        { "timelimit", "30" },
        { "timelimit", new List<object?> { 30 } },
        { "timelimit", new List<object?> { Encoding.UTF8.GetBytes("30"), null } },
        { "ignore_result", 1 },
        { "eta", 1_706_745_600 },
        { "root_id", 5 },
        { "argsrepr", new List<object?>() },
        { "shadow", new byte[] { 0xff, 0xfe } },
    };

    [Theory]
    [InlineData("application/x-python-serialize", "pickle")]
    [InlineData("application/x-yaml", "yaml")]
    [InlineData("application/x-msgpack", "msgpack")]
    public void Pickle_yaml_and_msgpack_are_refused_by_name_without_being_read(string contentType, string serializer)
    {
        var result = Fails(Valid() with { ContentType = contentType, Body = new byte[] { 0x80, 0x04, 0x95 } }, DecodeFailureReason.UnsupportedContentType);

        Assert.Contains(contentType, result.Error);
        Assert.Contains(serializer, result.Error);
        Assert.Equal(TaskId, result.TaskId);
    }

    [Fact]
    public void A_message_without_a_content_type_is_refused_where_celery_5_2_crashes() =>
        Fails(Valid() with { ContentType = null }, DecodeFailureReason.UnsupportedContentType);

    [Fact]
    public void Any_other_content_type_is_refused() =>
        Assert.Contains("text/plain", Fails(Valid() with { ContentType = "text/plain" }, DecodeFailureReason.UnsupportedContentType).Error);

    [Fact]
    public void Json_with_parameters_or_in_another_case_is_still_json() =>
        Assert.True(CeleryProtocol.Decode(Valid() with { ContentType = "Application/JSON; charset=utf-8" }).Succeeded);

    [Theory]
    [InlineData("binary")]
    [InlineData("latin-1")]
    [InlineData("utf-16")]
    public void A_content_encoding_other_than_utf8_is_refused(string encoding) =>
        Assert.Contains(encoding, Fails(Valid() with { ContentEncoding = encoding }, DecodeFailureReason.UnsupportedContentEncoding).Error);

    [Theory]
    [InlineData(null)]
    [InlineData("UTF-8")]
    [InlineData("utf8")]
    public void A_missing_encoding_reads_as_utf8_as_kombu_reads_it(string? encoding) =>
        Assert.True(CeleryProtocol.Decode(Valid() with { ContentEncoding = encoding }).Succeeded);

    [Fact]
    public void A_compressed_body_is_refused_with_its_compression_named() =>
        Assert.Contains("application/x-gzip", Fails(WithHeader("compression", "application/x-gzip"), DecodeFailureReason.UnsupportedCompression).Error);

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[[2, 3], {\"z\": 1}, null")]
    [InlineData("[[], {}, null] [[], {}, null]")]
    [InlineData("[[NaN], {}, null]")]
    public void A_body_that_is_not_json_is_refused(string body) =>
        Assert.Equal(TaskId, Fails(WithBody(body), DecodeFailureReason.InvalidJson).TaskId);

    [Fact]
    public void A_body_that_is_not_utf8_is_refused_rather_than_read_with_replacement_characters() =>
        Fails(Valid() with { Body = (byte[])[.. "[[\""u8, 0xff, .. "\"], {}, null]"u8] }, DecodeFailureReason.InvalidJson);

    [Fact]
    public void A_two_element_body_that_crashes_celery_5_2_is_refused_with_the_task_id()
    {
        var result = Fails(WithBody("[[2, 3], {\"z\": 1}]"), DecodeFailureReason.InvalidBodyShape);

        Assert.Contains("2 elements", result.Error);
        Assert.Equal(TaskId, result.TaskId);
    }

    [Theory]
    [InlineData("[[], {}, {}, {}]")]
    [InlineData("[]")]
    [InlineData("{\"args\": [], \"kwargs\": {}}")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void A_body_that_is_not_a_three_element_array_is_refused(string body) =>
        Fails(WithBody(body), DecodeFailureReason.InvalidBodyShape);

    [Theory]
    [InlineData("[[], {}, null]")]
    [InlineData("[[], {}, {}]")]
    public void A_third_element_of_null_or_an_empty_object_is_accepted_as_celery_accepts_it(string body)
    {
        var result = CeleryProtocol.Decode(WithBody(body));

        Assert.True(result.Succeeded, result.Error);
        Assert.Null(result.Message.Callbacks);
        Assert.Null(result.Message.Chord);
    }

    [Theory]
    [InlineData("[[], {}, []]")]
    [InlineData("[[], {}, \"callbacks\"]")]
    [InlineData("[[], {}, 1]")]
    public void A_third_element_that_is_neither_object_nor_null_is_refused(string body) =>
        Fails(WithBody(body), DecodeFailureReason.InvalidBodyShape);

    [Theory]
    [InlineData("[{}, {}, null]")]
    [InlineData("[\"2, 3\", {}, null]")]
    [InlineData("[null, {}, null]")]
    public void Args_that_are_not_an_array_are_refused(string body) =>
        Fails(WithBody(body), DecodeFailureReason.ArgsNotArray);

    [Theory]
    [InlineData("[[], [], null]")]
    [InlineData("[[], null, null]")]
    [InlineData("[[], \"z=1\", null]")]
    public void Kwargs_that_are_not_an_object_are_refused(string body) =>
        Fails(WithBody(body), DecodeFailureReason.KwargsNotObject);

    [Fact]
    public void A_protocol_v1_message_is_refused_with_a_clear_reason_and_its_correlation_id()
    {
        var v1 = Valid() with
        {
            Headers = new Dictionary<string, object?>(),
            Body = Encoding.UTF8.GetBytes($"{{\"task\": \"proj.add\", \"id\": \"{TaskId}\", \"args\": [2, 3], \"kwargs\": {{}}, \"retries\": 0, \"eta\": null}}"),
        };

        var result = Fails(v1, DecodeFailureReason.ProtocolV1NotSupported);

        Assert.Equal("protocol v1 message (no task header) is not supported", result.Error);
        Assert.Equal(TaskId, result.TaskId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(5)]
    public void A_task_header_that_names_no_task_is_refused(object? task) =>
        Fails(WithHeader("task", task), DecodeFailureReason.InvalidHeader);

    [Fact]
    public void A_message_without_an_id_is_refused_where_celery_5_2_crashes_and_keeps_the_correlation_id() =>
        Assert.Equal(TaskId, Fails(WithoutHeader("id"), DecodeFailureReason.MissingTaskId).TaskId);

    [Fact]
    public void A_message_with_neither_id_nor_correlation_id_is_refused_with_no_task_id() =>
        Assert.Null(Fails(WithoutHeader("id") with { CorrelationId = null }, DecodeFailureReason.MissingTaskId).TaskId);

    [Fact]
    public void The_task_id_is_read_from_the_id_header_before_the_correlation_id() =>
        Assert.Equal(TaskId, Fails(Valid() with { CorrelationId = "other", ContentType = null }, DecodeFailureReason.UnsupportedContentType).TaskId);

    [Fact]
    public void A_body_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var wire = Valid();

        var result = Fails(CeleryProtocol.Decode(wire, maxBodyBytes: wire.Body.Length - 1), DecodeFailureReason.BodyTooLarge);

        Assert.Equal(TaskId, result.TaskId);
        Assert.True(CeleryProtocol.Decode(wire, maxBodyBytes: wire.Body.Length).Succeeded);
    }

    [Theory]
    [InlineData("eta", "tomorrow")]
    [InlineData("eta", "2030-13-01T00:00:00+00:00")]
    [InlineData("eta", "1706745600")]
    [InlineData("expires", "2030-01-02T03:04:05+0000")]
    [InlineData("expires", "")]
    public void An_eta_or_expires_that_is_not_an_iso_8601_time_is_refused(string header, string value)
    {
        var result = Fails(WithHeader(header, value), DecodeFailureReason.InvalidTimestamp);

        Assert.Contains(header, result.Error);
        Assert.Equal(TaskId, result.TaskId);
    }

    [Theory]
    [InlineData("2030-01-02T03:04:05.678901+00:00")]
    [InlineData("2030-01-02T03:04:05.678901Z")]
    [InlineData("2030-01-02T03:04:05.678901")]
    public void An_eta_with_utc_offset_z_or_no_offset_is_read_as_utc(string eta)
    {
        var result = CeleryProtocol.Decode(WithHeader("eta", Encoding.UTF8.GetBytes(eta)));

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_010), result.Message.Eta);
    }

    [Theory]
    [MemberData(nameof(HeadersOfTheWrongType))]
    public void A_header_value_of_a_type_its_meaning_does_not_allow_is_refused(string header, object? value)
    {
        var result = Fails(WithHeader(header, value), DecodeFailureReason.InvalidHeader);

        Assert.Contains($"'{header}'", result.Error);
        Assert.Equal(TaskId, result.TaskId);
    }

    [Fact]
    public void A_64_bit_integer_that_fits_in_32_bits_is_read_as_an_integer() =>
        Assert.Equal(3, CeleryProtocol.Decode(WithHeader("retries", 3L)).Message?.Retries);

    [Fact]
    public void A_message_with_only_task_and_id_headers_is_read_with_celerys_defaults()
    {
        var wire = Valid() with
        {
            Headers = new Dictionary<string, object?> { ["task"] = "proj.add", ["id"] = TaskId },
        };

        var result = CeleryProtocol.Decode(wire);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(0, result.Message.Retries);
        Assert.False(result.Message.IgnoreResult);
        Assert.Null(result.Message.RootId);
        Assert.Null(result.Message.Eta);
        Assert.Null(result.Message.TimeLimitHard);
        Assert.Empty(result.Message.Headers);
    }

    [Fact]
    public void An_empty_message_is_refused_not_thrown_on()
    {
        var result = CeleryProtocol.Decode(new WireMessage { Headers = null! });

        Assert.False(result.Succeeded);
        Assert.Null(result.TaskId);
    }

    private static WireMessage Valid() =>
        CeleryProtocol.Encode(new TaskMessage { Id = TaskId, Name = "proj.add", Args = "[2, 3]", Kwargs = "{\"z\": 1}" });

    private static WireMessage WithBody(string json) => Valid() with { Body = Encoding.UTF8.GetBytes(json) };

    private static WireMessage WithHeader(string name, object? value)
    {
        var wire = Valid();
        return wire with { Headers = new Dictionary<string, object?>(wire.Headers) { [name] = value } };
    }

    private static WireMessage WithoutHeader(string name)
    {
        var wire = Valid();
        var headers = new Dictionary<string, object?>(wire.Headers);
        headers.Remove(name);
        return wire with { Headers = headers };
    }

    private static DecodeResult Fails(WireMessage wire, DecodeFailureReason reason) => Fails(CeleryProtocol.Decode(wire), reason);

    private static DecodeResult Fails(DecodeResult result, DecodeFailureReason reason)
    {
        Assert.False(result.Succeeded, "decoded a message that should have been refused");
        Assert.Equal(reason, result.Reason);
        Assert.Null(result.Message);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
        return result;
    }
}
