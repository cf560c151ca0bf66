namespace FullDbResult.Worker;

/// <summary>The message's args and kwargs do not fit the handler's parameters; the task is recorded FAILURE.</summary>
public sealed class TaskArgumentException(string message, Exception? inner = null) : Exception(message, inner);
