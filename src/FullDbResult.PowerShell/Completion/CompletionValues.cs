using System.Collections;
using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Completion;

/// <summary>
/// What the completers share: the word typed so far without its quotes, results quoted when PowerShell
/// needs it, and the store the command line names (its -ConnectionString, -Provider or -Session, else the
/// session or default the command would use). Completion never fails: a store it cannot read offers nothing.
/// </summary>
internal static class CompletionValues
{
    /// <summary>How many values a completer offers at most: a list to choose from, not a listing.</summary>
    public const int Limit = 100;

    public static string Typed(string? wordToComplete) => (wordToComplete ?? "").Trim('\'', '"');

    public static IEnumerable<CompletionResult> Results(IEnumerable<string> values) =>
        values.Select(value => new CompletionResult(Quoted(value), value, CompletionResultType.ParameterValue, value));

    /// <summary>Values read from the command line's store, or none when it cannot be read.</summary>
    public static IReadOnlyList<string> FromStore(IDictionary fakeBoundParameters, Func<TaskStore, CancellationToken, Task<IReadOnlyList<string>>> read)
    {
        try
        {
            var resolved = StoreResolver.Resolve(
                Unwrap(fakeBoundParameters["ConnectionString"]) as string,
                Unwrap(fakeBoundParameters["Provider"]) as string,
                Unwrap(fakeBoundParameters["Credential"]) as PSCredential,
                Unwrap(fakeBoundParameters["Session"]) as FullDbResultSession,
                CurrentSession.Get());
            // Completing a value reads; it never creates a schema (or a SQLite file) in a mistyped store.
            var store = new TaskStore(resolved.Connection, new TaskStoreOptions { AutoMigrate = false });
            // A completion that waits for an unreachable server would freeze the prompt.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return read(store, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is ArgumentException or TaskStoreException or OperationCanceledException or InvalidOperationException)
        {
            return [];
        }
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static string Quoted(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '/')
            ? value
            : "'" + CodeGeneration.EscapeSingleQuotedStringContent(value) + "'";
}
