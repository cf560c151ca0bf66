using System.Collections;

namespace FullDbResult.PowerShell.Completion;

/// <summary>Completes task states: Celery's and the scheduler's, whatever the case typed (states match so).</summary>
public sealed class TaskStateCompleter : ValueCompleter
{
    protected override IEnumerable<string> Values(string typed, IDictionary fakeBoundParameters) =>
        TaskStates.All.Where(state => state.StartsWith(typed, StringComparison.OrdinalIgnoreCase));
}
