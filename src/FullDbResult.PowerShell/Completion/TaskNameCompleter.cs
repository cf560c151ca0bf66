using System.Collections;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes task names from the store the command line names, a seek of the name index each.</summary>
public sealed class TaskNameCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(string typed, IDictionary fakeBoundParameters) =>
        CompletionValues.FromStore(fakeBoundParameters, (store, token) => store.GetTaskNamesAsync(typed, CompletionValues.Limit, token));
}
