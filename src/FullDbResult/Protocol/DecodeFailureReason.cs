namespace FullDbResult.Protocol;

/// <summary>Why a message could not be read as a Celery protocol v2 task.</summary>
public enum DecodeFailureReason
{
    None = 0,
    BodyTooLarge,
    /// <summary>Not application/json. Pickle, YAML and msgpack are refused: only JSON is ever deserialized.</summary>
    UnsupportedContentType,
    UnsupportedContentEncoding,
    /// <summary>The body was compressed by the producer (kombu's <c>compression</c> header).</summary>
    UnsupportedCompression,
    /// <summary>No <c>task</c> header: a protocol v1 message, which is not supported.</summary>
    ProtocolV1NotSupported,
    MissingTaskId,
    /// <summary>A header has a type or value its meaning does not allow.</summary>
    InvalidHeader,
    /// <summary>An eta or expires header that is not an ISO 8601 time.</summary>
    InvalidTimestamp,
    InvalidJson,
    /// <summary>The body is not the array <c>[args, kwargs, embed]</c>.</summary>
    InvalidBodyShape,
    ArgsNotArray,
    KwargsNotObject,
}
