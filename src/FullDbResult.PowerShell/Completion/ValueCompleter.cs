using System.Collections;
using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Completion;

/// <summary>
/// The base of the completers: each names the values that complete the word typed so far (without its
/// quotes); this offers them, quoted when PowerShell needs it.
/// </summary>
public abstract class ValueCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionValues.Results(Values(CompletionValues.Typed(wordToComplete), fakeBoundParameters));

    /// <summary>The values that start with <paramref name="typed"/>, <see cref="CompletionValues.Limit"/> at most.</summary>
    protected abstract IEnumerable<string> Values(string typed, IDictionary fakeBoundParameters);
}
