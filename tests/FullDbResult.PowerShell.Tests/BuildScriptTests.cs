namespace FullDbResult.PowerShell.Tests;

/// <summary>build.ps1 and build.sh, run as a user runs them: build.ps1 by real pwsh, build.sh by bash.</summary>
[Collection(PwshCollection.Name)]
public sealed class BuildScriptTests(PwshModule module)
{
    [Fact]
    public void build_ps1_run_by_pwsh_builds_a_module_folder_that_Import_Module_finds_by_name()
    {
        Assert.True(module.Build.ExitCode == 0, module.Build.ToString());

        var result = module.Command("""
            $imported = Import-Module FullDbResult -PassThru
            $imported.ModuleBase
            (Get-Command Get-StaleTask).Source
            """).AssertSucceeded();

        Assert.Equal(new[] { module.ModuleDirectory, "FullDbResult" }, result.Lines);
    }

    [Fact]
    public void build_sh_builds_the_same_module_folder_as_build_ps1()
    {
        var parent = Directory.CreateTempSubdirectory("FullDbResult.build-sh-").FullName;
        var folder = Path.Combine(parent, "FullDbResult");
        try
        {
            var build = PwshProcess.Run(["-Command", $"bash ./build.sh --output {PwshProcess.Quote(folder)}; exit $LASTEXITCODE"]);

            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.Equal(Files(module.ModuleDirectory), Files(folder));
        }
        finally
        {
            // A module folder is over 100 MB (SqlClient for every platform).
            Directory.Delete(parent, recursive: true);
        }
    }

    private static List<string> Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(folder, path)).Order().ToList();
}
