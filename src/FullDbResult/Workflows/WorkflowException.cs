namespace FullDbResult.Workflows;

/// <summary>A signature in a message's callbacks, errbacks, chain or chord that cannot be sent.</summary>
internal sealed class WorkflowException(string message) : Exception(message);
