using System.Data.Common;

namespace FullDbResult.PowerShell;

/// <summary>
/// Error records for the store's failures, with a category a script can test and a message that says what
/// to do. The library's messages name the server and never the password, and the target is the redacted
/// connection, so nothing here shows a secret.
/// </summary>
internal static class StoreErrors
{
    // SQLITE_CORRUPT and SQLITE_NOTADB: the file is there but is no SQLite database, or a damaged one.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    /// <param name="source">Where the connection was named (-ConnectionString, an environment variable): the target.</param>
    public static ErrorRecord InvalidConnection(ArgumentException exception, string source) =>
        new(new ArgumentException($"The task store named by {source} is not valid: {exception.Message}", exception),
            "InvalidStoreConnection", ErrorCategory.InvalidArgument, source);

    public static ErrorRecord FromStore(Exception exception, StoreConnection connection)
    {
        var target = connection.Redacted;
        return exception switch
        {
            SchemaVersionException { SchemaMissing: true } => new(new ItemNotFoundException(
                    $"No task store at {target}: {exception.Message} If the connection string is not the store you meant, correct it instead.", exception),
                "StoreNotInitialized", ErrorCategory.ObjectNotFound, target),
            SchemaVersionException => new(exception, "StoreSchemaVersion", ErrorCategory.InvalidData, target),
            TaskStoreConnectionException => new(exception, "StoreUnreachable", ErrorCategory.ConnectionError, target),
            OperationCanceledException => new(exception, "StoreCallStopped", ErrorCategory.OperationStopped, target),
            DbException when SqliteErrorCode(exception) is SqliteCorrupt or SqliteNotADatabase => new(
                new TaskStoreException(
                    $"The file of {target} is not a SQLite database, or a damaged one ({exception.Message}). Check that the path names the task store; "
                    + "restore a damaged store from a backup, or move the file aside and run Initialize-TaskStore to start a new one.", exception),
                "StoreDamaged", ErrorCategory.InvalidData, target),
            DbException => new(new TaskStoreException($"The task store {target} refused the command: {exception.Message}", exception),
                "StoreFailed", ErrorCategory.InvalidResult, target),
            _ => new(exception, "StoreFailed", ErrorCategory.NotSpecified, target),
        };
    }

    // By name: Microsoft.Data.Sqlite's SqliteException lives in the module's load context, out of the cmdlets'
    // reach, and DbException.ErrorCode does not carry SQLite's code.
    private static int? SqliteErrorCode(Exception exception) =>
        exception.GetType().GetProperty("SqliteErrorCode")?.GetValue(exception) as int?;
}
