namespace FullDbResult.Hosting;

/// <summary>
/// The task handlers the hosted worker runs, collected from every <c>AddWorker</c> call. Handlers bind as
/// <see cref="RabbitMq.TaskWorker.Register"/> describes.
/// </summary>
public sealed class TaskHandlers
{
    private readonly Dictionary<string, Delegate> _handlers = new(StringComparer.Ordinal);

    internal IReadOnlyDictionary<string, Delegate> All => _handlers;

    /// <summary>Registers the handler for <paramref name="taskName"/>; a later registration of the same name replaces it.</summary>
    public TaskHandlers Register(string taskName, Delegate handler)
    {
        Tasks.TaskValidation.ValidateTaskName(taskName, nameof(taskName));
        ArgumentNullException.ThrowIfNull(handler);
        _handlers[taskName] = handler;
        return this;
    }
}
