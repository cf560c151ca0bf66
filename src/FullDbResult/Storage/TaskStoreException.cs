namespace FullDbResult.Storage;

/// <summary>A task-store operation failed for a reason the caller should see as it is.</summary>
public class TaskStoreException : Exception
{
    public TaskStoreException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The database could not be reached. The message names the server, never the password.</summary>
public sealed class TaskStoreConnectionException : TaskStoreException
{
    public TaskStoreConnectionException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The database's schema is missing or newer than this version of FullDbResult knows.</summary>
public sealed class SchemaVersionException : TaskStoreException
{
    public SchemaVersionException(string message, bool schemaMissing = false) : base(message) => SchemaMissing = schemaMissing;

    /// <summary>No schema at all (or, for SQLite, no file): a store never initialized, or a mistyped name.</summary>
    public bool SchemaMissing { get; }
}

/// <summary>A task with this id is already stored.</summary>
public sealed class DuplicateTaskException : TaskStoreException
{
    public DuplicateTaskException(string taskId, Exception? inner = null)
        : base($"A task with id '{taskId}' is already stored.", inner) => TaskId = taskId;

    public string TaskId { get; }
}
