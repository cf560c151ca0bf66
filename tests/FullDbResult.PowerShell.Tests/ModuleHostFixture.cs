namespace FullDbResult.PowerShell.Tests;

/// <summary>One module host for a test class: importing the module takes a moment, and these tests only read.</summary>
public sealed class ModuleHostFixture : IDisposable
{
    public ModuleHost Host { get; } = new();

    public void Dispose() => Host.Dispose();
}
