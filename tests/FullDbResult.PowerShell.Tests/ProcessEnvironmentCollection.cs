namespace FullDbResult.PowerShell.Tests;

/// <summary>Tests that set environment variables, or depend on their absence, run alone: the environment is the process's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}
