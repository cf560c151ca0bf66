using System.Collections;
using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes task states: Celery's and the scheduler's, whatever the case typed (states match so).</summary>
public sealed class TaskStateCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = CompletionValues.Typed(wordToComplete);
        return CompletionValues.Results(TaskStates.All.Where(state => state.StartsWith(typed, StringComparison.OrdinalIgnoreCase)));
    }
}
