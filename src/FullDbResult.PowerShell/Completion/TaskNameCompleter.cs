using System.Collections;
using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes task names from the store the command line names, a seek of the name index each.</summary>
public sealed class TaskNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = CompletionValues.Typed(wordToComplete);
        return CompletionValues.Results(CompletionValues.FromStore(fakeBoundParameters,
            (store, token) => store.GetTaskNamesAsync(typed, CompletionValues.Limit, token)));
    }
}
