using System.Globalization;
using System.Text;
using System.Text.Json;
using static FullDbResult.Protocol.CeleryHeaders;

namespace FullDbResult.Protocol;

/// <summary>Writes a task message as Celery 5.2's <c>send_task</c> writes it (celery.app.amqp.as_task_v2 and kombu).</summary>
internal static class TaskMessageEncoder
{
    private const byte Persistent = 2;

    public static WireMessage Encode(TaskMessage message, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(message.Id))
        {
            throw new ArgumentException("A task message needs an id.", nameof(message));
        }

        if (string.IsNullOrEmpty(message.Name))
        {
            throw new ArgumentException("A task message needs a task name.", nameof(message));
        }

        string args = Json(message.Args, nameof(TaskMessage.Args), '[', "an array");
        string kwargs = Json(message.Kwargs, nameof(TaskMessage.Kwargs), '{', "an object");
        string body =
            $"[{args}, {kwargs}, {{\"callbacks\": {Embedded(message.Callbacks, nameof(TaskMessage.Callbacks))}, " +
            $"\"errbacks\": {Embedded(message.Errbacks, nameof(TaskMessage.Errbacks))}, " +
            $"\"chain\": {Embedded(message.Chain, nameof(TaskMessage.Chain))}, " +
            $"\"chord\": {Embedded(message.Chord, nameof(TaskMessage.Chord))}}}]";

        return new WireMessage
        {
            // Python-style JSON escapes every non-ASCII character, so ASCII is also its UTF-8.
            Body = Encoding.ASCII.GetBytes(body),
            ContentType = CeleryProtocol.ContentType,
            ContentEncoding = CeleryProtocol.ContentEncoding,
            CorrelationId = message.Id,
            ReplyTo = message.ReplyTo,
            DeliveryMode = Persistent,
            Priority = message.Priority ?? 0,
            Expiration = Expiration(message.Expires, clock),
            Headers = Headers(message, args, kwargs),
            Exchange = message.Exchange,
            RoutingKey = message.RoutingKey,
        };
    }

    private static Dictionary<string, object?> Headers(TaskMessage message, string args, string kwargs)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            // Celery's own value: nothing reads it as the sender's identity, and a Python sender's messages are the model.
            [Lang] = "py",
            [TaskName] = message.Name,
            [Id] = message.Id,
            [Shadow] = message.Shadow,
            [Eta] = message.Eta is { } eta ? CeleryTimestamp.Format(eta) : null,
            [Expires] = message.Expires is { } expires ? CeleryTimestamp.Format(expires) : null,
            [Group] = message.GroupId,
            [GroupIndex] = message.GroupIndex,
            [Retries] = message.Retries,
            [TimeLimit] = new List<object?> { Seconds(message.TimeLimitHard), Seconds(message.TimeLimitSoft) },
            [RootId] = string.IsNullOrEmpty(message.RootId) ? message.Id : message.RootId,
            [ParentId] = message.ParentId,
            [ArgsRepr] = message.ArgsRepr ?? PythonRepr.OfArgs(args),
            [KwargsRepr] = message.KwargsRepr ?? PythonRepr.OfKwargs(kwargs),
            [Origin] = message.Origin ?? CeleryProtocol.DefaultOrigin,
            [IgnoreResult] = message.IgnoreResult,
        };

        foreach (var (name, value) in message.Headers)
        {
            if (Reserved.Contains(name))
            {
                throw new ArgumentException($"Custom header '{name}' would replace Celery's own header of that name; set the TaskMessage property instead.", nameof(message));
            }

            object? normalized = AmqpHeaderValues.NormalizeValue(value);
            if (!AmqpHeaderValues.IsWireSafe(normalized))
            {
                throw new ArgumentException($"Custom header '{name}' holds a {value!.GetType().Name}, which has no AMQP form that Celery reads.", nameof(message));
            }

            headers[name] = normalized;
        }

        return headers;
    }

    /// <summary>A whole number of seconds goes as an int, as a Python caller's <c>time_limit=30</c> does.</summary>
    private static object? Seconds(double? seconds) => seconds switch
    {
        null => null,
        { } whole when whole == Math.Floor(whole) && whole is >= int.MinValue and <= int.MaxValue => (int)whole,
        { } fractional => fractional,
    };

    /// <summary>Like Celery: milliseconds from now, truncated, and 0 (expire unless delivered at once) when already past.</summary>
    private static string? Expiration(DateTimeOffset? expires, TimeProvider clock)
    {
        if (expires is not { } at)
        {
            return null;
        }

        long milliseconds = (at - clock.GetUtcNow()).Ticks / TimeSpan.TicksPerMillisecond;
        return Math.Max(0, milliseconds).ToString(CultureInfo.InvariantCulture);
    }

    private static string Json(string json, string property, char opening, string shape)
    {
        string formatted = Embedded(json, property);
        // The Python layout starts with the value's own first character.
        return formatted[0] == opening
            ? formatted
            : throw new ArgumentException($"{property} must be a JSON {shape}: {Abbreviate(json)}", "message");
    }

    private static string Embedded(string? json, string property)
    {
        if (json is null)
        {
            return "null";
        }

        try
        {
            return PythonJson.Format(json);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{property} is not valid JSON ({e.Message}): {Abbreviate(json)}", "message", e);
        }
    }

    private static string Abbreviate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
