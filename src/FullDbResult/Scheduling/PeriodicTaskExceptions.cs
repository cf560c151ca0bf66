namespace FullDbResult.Scheduling;

/// <summary>A periodic task with this name is already stored.</summary>
public sealed class DuplicatePeriodicTaskException : TaskStoreException
{
    public DuplicatePeriodicTaskException(string name, Exception? inner = null)
        : base($"A periodic task named '{name}' already exists.", inner) => Name = name;

    public string Name { get; }
}

/// <summary>No periodic task has this name.</summary>
public sealed class PeriodicTaskNotFoundException : TaskStoreException
{
    public PeriodicTaskNotFoundException(string name)
        : base($"There is no periodic task named '{name}'.") => Name = name;

    public string Name { get; }
}
