using System.Text.Json;
using System.Text.RegularExpressions;

namespace FullDbResult.Control;

/// <summary>
/// One Celery remote-control command, as kombu's Mailbox sends it on the <c>celery.pidbox</c> fanout exchange:
/// <c>{"method", "arguments", "destination", "pattern", "matcher"}</c>, plus <c>ticket</c> and <c>reply_to</c>
/// when the sender collects replies. Every worker receives every command and acts only when it is addressed.
/// The real messages Celery 5.2 sends are in tests/FullDbResult.Tests/vectors/pidbox/.
/// </summary>
public sealed record ControlCommand
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    public required string Method { get; init; }

    /// <summary>The command's keyword arguments, as JSON values (a revoke's <c>task_id</c> is a string or a list).</summary>
    public IReadOnlyDictionary<string, JsonElement> Arguments { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Worker names the command is for; null is every worker.</summary>
    public IReadOnlyList<string>? Destination { get; init; }

    /// <summary>With <see cref="Matcher"/> (<c>glob</c> or <c>pcre</c>): the worker names the command is for.</summary>
    public string? Pattern { get; init; }

    public string? Matcher { get; init; }

    /// <summary>Set when the sender collects replies: each reply carries it in its <c>ticket</c> header.</summary>
    public string? Ticket { get; init; }

    /// <summary>Where replies go: an exchange (<c>reply.celery.pidbox</c>) and the sender's routing key.</summary>
    public string? ReplyExchange { get; init; }

    public string? ReplyRoutingKey { get; init; }

    /// <summary>The sender waits for replies to this command.</summary>
    public bool WantsReply => Ticket is not null && ReplyExchange is not null && ReplyRoutingKey is not null;

    /// <summary>Celery's <c>revoke</c>: the workers skip these ids when they arrive; with terminate, stop them if running.</summary>
    public static ControlCommand Revoke(IReadOnlyList<string> taskIds, bool terminate = false, string? signal = null)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0) throw new ArgumentException("Revoke needs at least one task id.", nameof(taskIds));
        var arguments = new Dictionary<string, JsonElement>
        {
            ["task_id"] = JsonSerializer.SerializeToElement(taskIds),
            ["terminate"] = JsonSerializer.SerializeToElement(terminate),
        };
        if (signal is not null) arguments["signal"] = JsonSerializer.SerializeToElement(signal);
        return new ControlCommand { Method = ControlMethods.Revoke, Arguments = arguments };
    }

    /// <summary>A command without arguments, such as <c>ping</c>, <c>active</c> or <c>registered</c>.</summary>
    public static ControlCommand Inspect(string method, IReadOnlyList<string>? destination = null) =>
        new() { Method = method, Destination = destination };

    /// <summary>Whether the worker named <paramref name="workerName"/> should act on it, as kombu's Node decides.</summary>
    public bool IsFor(string workerName)
    {
        if (Destination is { Count: > 0 }) return Destination.Contains(workerName, StringComparer.Ordinal);
        if (Pattern is null || Matcher is null) return true;
        try
        {
            return Matcher switch
            {
                "glob" => Regex.IsMatch(workerName, GlobToRegex(Pattern), RegexOptions.None, PatternTimeout),
                "pcre" => Regex.IsMatch(workerName, Pattern, RegexOptions.None, PatternTimeout),
                _ => false,
            };
        }
        catch (Exception ex) when (ex is ArgumentException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reads a command's JSON body; a body that is not one throws <see cref="FormatException"/> saying why.</summary>
    public static ControlCommand Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The control message is not JSON: {ex.Message}", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new FormatException("The control message is not a JSON object.");
            var method = OptionalString(root, "method") ?? throw new FormatException("The control message has no method.");
            var arguments = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (root.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
            {
                if (args.ValueKind != JsonValueKind.Object) throw new FormatException("The control message's arguments are not a JSON object.");
                foreach (var property in args.EnumerateObject()) arguments[property.Name] = property.Value.Clone();
            }
            string? replyExchange = null, replyRoutingKey = null;
            if (root.TryGetProperty("reply_to", out var replyTo) && replyTo.ValueKind == JsonValueKind.Object)
                (replyExchange, replyRoutingKey) = (OptionalString(replyTo, "exchange"), OptionalString(replyTo, "routing_key"));
            return new ControlCommand
            {
                Method = method,
                Arguments = arguments,
                Destination = root.TryGetProperty("destination", out var destination) ? StringList(destination, "destination") : null,
                Pattern = OptionalString(root, "pattern"),
                Matcher = OptionalString(root, "matcher"),
                Ticket = OptionalString(root, "ticket"),
                ReplyExchange = replyExchange,
                ReplyRoutingKey = replyRoutingKey,
            };
        }
    }

    /// <summary>The JSON body kombu's Mailbox sends (<see cref="Parse"/> reads it back).</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("method", Method);
            json.WritePropertyName("arguments");
            JsonSerializer.Serialize(json, Arguments);
            json.WritePropertyName("destination");
            JsonSerializer.Serialize(json, Destination);
            json.WriteString("pattern", Pattern);
            json.WriteString("matcher", Matcher);
            if (WantsReply)
            {
                json.WriteString("ticket", Ticket);
                json.WriteStartObject("reply_to");
                json.WriteString("exchange", ReplyExchange);
                json.WriteString("routing_key", ReplyRoutingKey);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>The argument's strings: a string alone or a list of strings (Celery sends a revoke's ids either way).</summary>
    internal IReadOnlyList<string> StringsArgument(string name) =>
        Arguments.TryGetValue(name, out var value) ? StringList(value, name) ?? [] : [];

    internal string? StringArgument(string name) =>
        Arguments.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal bool BoolArgument(string name) =>
        Arguments.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"The control message's {name} is not a string.");
    }

    private static IReadOnlyList<string>? StringList(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array when value.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String) =>
            value.EnumerateArray().Select(item => item.GetString()!).ToList(),
        _ => throw new FormatException($"The control message's {name} is not a string or a list of strings."),
    };

    // fnmatch's translation, as kombu's glob matcher uses: * any run, ? one character, the rest literal.
    private static string GlobToRegex(string glob) =>
        "^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
}
