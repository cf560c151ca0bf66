namespace FullDbResult.PowerShell.Tests;

/// <summary>What a pwsh process left: its exit code and both output streams.</summary>
public sealed record PwshResult(int ExitCode, string Output, string Error)
{
    /// <summary>The output's lines, without blank ones.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Fails with everything pwsh printed unless it exited 0 and wrote no error.</summary>
    public PwshResult AssertSucceeded()
    {
        Assert.True(ExitCode == 0 && Error.Length == 0, $"pwsh exited {ExitCode}.\nstdout:\n{Output}\nstderr:\n{Error}");
        return this;
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
