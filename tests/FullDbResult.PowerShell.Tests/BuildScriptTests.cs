using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Tests;

/// <summary>build.ps1 has no pwsh to run it on these machines; at least PowerShell's parser reads it.</summary>
public sealed class BuildScriptTests
{
    [Fact]
    public void build_ps1_parses_without_errors()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "FullDbResult.sln"))) root = root.Parent!;

        Parser.ParseFile(Path.Combine(root.FullName, "build.ps1"), out _, out var errors);

        Assert.Empty(errors);
    }
}
