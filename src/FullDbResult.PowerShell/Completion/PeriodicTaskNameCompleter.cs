using System.Collections;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes the names of the periodic tasks defined in the store the command line names.</summary>
public sealed class PeriodicTaskNameCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(string typed, IDictionary fakeBoundParameters) =>
        CompletionValues.FromStore(fakeBoundParameters, async (store, token) =>
            (IReadOnlyList<string>)[.. (await new PeriodicTaskStore(store).ListAsync(cancellationToken: token))
                .Select(task => task.Name)
                .Where(name => name.StartsWith(typed, StringComparison.Ordinal))
                .Take(CompletionValues.Limit)]);
}
