using System.Collections;
using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes the names of the periodic tasks defined in the store the command line names.</summary>
public sealed class PeriodicTaskNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = CompletionValues.Typed(wordToComplete);
        return CompletionValues.Results(CompletionValues.FromStore(fakeBoundParameters, async (store, token) =>
            (IReadOnlyList<string>)[.. (await new PeriodicTaskStore(store).ListAsync(cancellationToken: token))
                .Select(task => task.Name)
                .Where(name => name.StartsWith(typed, StringComparison.Ordinal))
                .Take(CompletionValues.Limit)]));
    }
}
