using System.Management.Automation;
using FullDbResult.Storage;

namespace FullDbResult.PowerShell;

/// <summary>
/// Error records for the store's failures, with a category a script can test. The library's messages name the
/// server and never the password, and the target is the redacted connection, so nothing here shows a secret.
/// </summary>
internal static class StoreErrors
{
    public static ErrorRecord InvalidConnection(ArgumentException exception) =>
        new(exception, "InvalidStoreConnection", ErrorCategory.InvalidArgument, null);

    public static ErrorRecord FromStore(Exception exception, TaskStore store) => exception switch
    {
        TaskStoreConnectionException => new(exception, "StoreUnreachable", ErrorCategory.ConnectionError, store.Connection.Redacted),
        SchemaVersionException => new(exception, "StoreSchemaVersion", ErrorCategory.InvalidData, store.Connection.Redacted),
        OperationCanceledException => new(exception, "StoreCallStopped", ErrorCategory.OperationStopped, store.Connection.Redacted),
        _ => new(exception, "StoreFailed", ErrorCategory.NotSpecified, store.Connection.Redacted),
    };
}
