namespace FullDbResult.Protocol;

/// <summary>What a Celery task send carries, independent of how it is written on the wire.</summary>
public sealed record TaskMessage
{
    public required string Id { get; init; }

    /// <summary>The registered task name, e.g. <c>proj.add</c>.</summary>
    public required string Name { get; init; }

    /// <summary>JSON text of an array. Kept as text so that big integers and floats survive unchanged.</summary>
    public string Args { get; init; } = "[]";

    /// <summary>JSON text of an object.</summary>
    public string Kwargs { get; init; } = "{}";

    /// <summary>UTC. Celery carries microseconds, so finer ticks are dropped on the wire.</summary>
    public DateTimeOffset? Eta { get; init; }

    /// <summary>UTC. Also sets the AMQP expiration property, relative to the encoder's clock.</summary>
    public DateTimeOffset? Expires { get; init; }

    public int Retries { get; init; }

    /// <summary>Null sends the task's own id, as Celery does.</summary>
    public string? RootId { get; init; }

    public string? ParentId { get; init; }

    public string? GroupId { get; init; }

    public int? GroupIndex { get; init; }

    /// <summary>Seconds.</summary>
    public double? TimeLimitHard { get; init; }

    /// <summary>Seconds.</summary>
    public double? TimeLimitSoft { get; init; }

    /// <summary>Null sends 0, as kombu does.</summary>
    public byte? Priority { get; init; }

    /// <summary>"" is the default exchange, which routes by queue name.</summary>
    public string Exchange { get; init; } = "";

    public string RoutingKey { get; init; } = CeleryProtocol.DefaultQueue;

    public string? ReplyTo { get; init; }

    public bool IgnoreResult { get; init; }

    /// <summary>A name to show instead of <see cref="Name"/> in logs and monitors.</summary>
    public string? Shadow { get; init; }

    /// <summary>The sender's node name. Null sends <see cref="CeleryProtocol.DefaultOrigin"/>.</summary>
    public string? Origin { get; init; }

    /// <summary>Null sends the Python repr of <see cref="Args"/>, truncated as Celery truncates it.</summary>
    public string? ArgsRepr { get; init; }

    /// <summary>Null sends the Python repr of <see cref="Kwargs"/>, truncated as Celery truncates it.</summary>
    public string? KwargsRepr { get; init; }

    /// <summary>Custom headers, sent beside Celery's own at the top level of the header table.</summary>
    public IReadOnlyDictionary<string, object?> Headers { get; init; } = new Dictionary<string, object?>();

    /// <summary>Raw JSON of the embedded callback signatures, or null.</summary>
    public string? Callbacks { get; init; }

    /// <summary>Raw JSON of the embedded errback signatures, or null.</summary>
    public string? Errbacks { get; init; }

    /// <summary>Raw JSON of the remaining chain, or null.</summary>
    public string? Chain { get; init; }

    /// <summary>Raw JSON of the chord callback, or null.</summary>
    public string? Chord { get; init; }
}
