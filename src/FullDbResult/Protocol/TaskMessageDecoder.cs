using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using static FullDbResult.Protocol.CeleryHeaders;

namespace FullDbResult.Protocol;

/// <summary>
/// Reads a Celery protocol v2 task message, refusing whatever it cannot read with a reason instead of an exception:
/// a poison message must be recorded and dead-lettered, not crash the worker as it crashes Celery 5.2's.
/// </summary>
internal static class TaskMessageDecoder
{
    private static readonly Dictionary<string, string> RefusedSerializers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/x-python-serialize"] = "pickle",
        ["application/x-yaml"] = "yaml",
        ["application/x-msgpack"] = "msgpack",
    };

    public static DecodeResult Decode(WireMessage wire, int maxBodyBytes)
    {
        var headers = AmqpHeaderValues.Normalize(wire.Headers);
        try
        {
            return DecodeResult.Success(Read(wire, headers, maxBodyBytes));
        }
        catch (DecodeFailedException failure)
        {
            return DecodeResult.Failure(failure.Reason, failure.Message, ReadableTaskId(headers, wire.CorrelationId));
        }
    }

    private static string? ReadableTaskId(Dictionary<string, object?> headers, string? correlationId) =>
        headers.GetValueOrDefault(Id) is string { Length: > 0 } id ? id
        : string.IsNullOrEmpty(correlationId) ? null
        : correlationId;

    private static TaskMessage Read(WireMessage wire, Dictionary<string, object?> headers, int maxBodyBytes)
    {
        if (wire.Body.Length > maxBodyBytes)
        {
            throw new DecodeFailedException(
                DecodeFailureReason.BodyTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"the body is {wire.Body.Length} bytes, over the limit of {maxBodyBytes}"));
        }

        CheckContent(wire, headers);
        if (!headers.ContainsKey(TaskName))
        {
            throw new DecodeFailedException(DecodeFailureReason.ProtocolV1NotSupported, "protocol v1 message (no task header) is not supported");
        }

        var read = new HeaderReader(headers);
        string name = read.String(TaskName) is { Length: > 0 } task
            ? task
            : throw new DecodeFailedException(DecodeFailureReason.InvalidHeader, "header 'task' is empty or null: the message names no task");
        string id = read.String(Id) is { Length: > 0 } taskId
            ? taskId
            : throw new DecodeFailedException(DecodeFailureReason.MissingTaskId, "the message has no 'id' header");
        var (hard, soft) = read.TimeLimits();
        var message = new TaskMessage
        {
            Id = id,
            Name = name,
            Eta = read.Timestamp(Eta),
            Expires = read.Timestamp(Expires),
            Retries = read.Int(Retries) ?? 0,
            RootId = read.String(RootId),
            ParentId = read.String(ParentId),
            GroupId = read.String(Group),
            GroupIndex = read.Int(GroupIndex),
            TimeLimitHard = hard,
            TimeLimitSoft = soft,
            Priority = wire.Priority,
            Exchange = wire.Exchange,
            RoutingKey = wire.RoutingKey,
            ReplyTo = string.IsNullOrEmpty(wire.ReplyTo) ? null : wire.ReplyTo,
            IgnoreResult = read.Bool(IgnoreResult) ?? false,
            Shadow = read.String(Shadow),
            Origin = read.String(Origin),
            ArgsRepr = read.String(ArgsRepr),
            KwargsRepr = read.String(KwargsRepr),
            Headers = headers.Where(header => !Reserved.Contains(header.Key)).ToDictionary(StringComparer.Ordinal),
        };

        return WithBody(message, wire.Body);
    }

    private static void CheckContent(WireMessage wire, Dictionary<string, object?> headers)
    {
        string mediaType = (wire.ContentType ?? "").Split(';')[0].Trim();
        if (mediaType.Length == 0)
        {
            throw new DecodeFailedException(DecodeFailureReason.UnsupportedContentType, "the message has no content type: only application/json is accepted");
        }

        if (!mediaType.Equals(CeleryProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new DecodeFailedException(
                DecodeFailureReason.UnsupportedContentType,
                RefusedSerializers.TryGetValue(mediaType, out string? serializer)
                    ? $"content type '{wire.ContentType}' ({serializer}) is refused: only application/json is ever deserialized"
                    : $"content type '{wire.ContentType}' is not supported: only application/json is accepted");
        }

        // kombu reads a missing encoding as utf-8.
        if (!string.IsNullOrEmpty(wire.ContentEncoding)
            && !wire.ContentEncoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !wire.ContentEncoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new DecodeFailedException(
                DecodeFailureReason.UnsupportedContentEncoding,
                $"content encoding '{wire.ContentEncoding}' is not supported: a JSON body must be utf-8");
        }

        if (headers.GetValueOrDefault(Compression) is { } compression)
        {
            throw new DecodeFailedException(
                DecodeFailureReason.UnsupportedCompression,
                $"the body is compressed ({compression}): compressed bodies are not supported");
        }
    }

    private static TaskMessage WithBody(TaskMessage message, ReadOnlyMemory<byte> body)
    {
        // The JSON parser checks UTF-8 only when a string is read; raw args text would carry U+FFFD instead.
        if (!Utf8.IsValid(body.Span))
        {
            throw new DecodeFailedException(DecodeFailureReason.InvalidJson, "the body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = PythonJson.MaxDepth });
        }
        catch (JsonException e)
        {
            throw new DecodeFailedException(DecodeFailureReason.InvalidJson, $"the body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != 3)
            {
                throw new DecodeFailedException(
                    DecodeFailureReason.InvalidBodyShape,
                    root.ValueKind == JsonValueKind.Array
                        ? string.Create(CultureInfo.InvariantCulture, $"the body must be the array [args, kwargs, embed]; it has {root.GetArrayLength()} elements")
                        : $"the body must be the array [args, kwargs, embed], not {Describe(root.ValueKind)}");
            }

            var (args, kwargs, embed) = (root[0], root[1], root[2]);
            if (args.ValueKind != JsonValueKind.Array)
            {
                throw new DecodeFailedException(DecodeFailureReason.ArgsNotArray, $"args must be a JSON array, not {Describe(args.ValueKind)}");
            }

            if (kwargs.ValueKind != JsonValueKind.Object)
            {
                throw new DecodeFailedException(DecodeFailureReason.KwargsNotObject, $"kwargs must be a JSON object, not {Describe(kwargs.ValueKind)}");
            }

            if (embed.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw new DecodeFailedException(
                    DecodeFailureReason.InvalidBodyShape,
                    $"the body's third element (callbacks, errbacks, chain, chord) must be an object or null, not {Describe(embed.ValueKind)}");
            }

            return message with
            {
                Args = args.GetRawText(),
                Kwargs = kwargs.GetRawText(),
                Callbacks = Embedded(embed, "callbacks"),
                Errbacks = Embedded(embed, "errbacks"),
                Chain = Embedded(embed, "chain"),
                Chord = Embedded(embed, "chord"),
            };
        }
    }

    private static string? Embedded(JsonElement embed, string name) =>
        embed.ValueKind == JsonValueKind.Object && embed.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.GetRawText()
            : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
