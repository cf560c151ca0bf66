namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// The module folder as a user gets it: build.ps1, run by real pwsh, builds it into a folder of this test run
/// that is put on PSModulePath, so that <c>Import-Module FullDbResult</c> finds it by name. Also imports the
/// module into this process (a <see cref="ModuleHost"/>) so that <see cref="SeedStore"/> can write rows.
/// </summary>
public sealed class PwshModule : IDisposable
{
    public PwshModule()
    {
        ModulesDirectory = Directory.CreateTempSubdirectory("FullDbResult.Pwsh-modules-").FullName;
        Build = PwshProcess.Run(["-File", Path.Combine(PwshProcess.RepositoryRoot, "build.ps1"), "-OutputDirectory", ModuleDirectory]);
        SeedHost = new ModuleHost();
    }

    /// <summary>The folder on PSModulePath that holds the module folder.</summary>
    public string ModulesDirectory { get; }

    /// <summary>The module folder build.ps1 built.</summary>
    public string ModuleDirectory => Path.Combine(ModulesDirectory, "FullDbResult");

    /// <summary>What build.ps1 printed and its exit code.</summary>
    public PwshResult Build { get; }

    public ModuleHost SeedHost { get; }

    /// <summary>Runs a script as <c>pwsh -Command</c> with the module on PSModulePath; it still imports it itself.</summary>
    public PwshResult Command(string script, IReadOnlyDictionary<string, string?>? environment = null)
    {
        Assert.True(Build.ExitCode == 0, "build.ps1 failed:\n" + Build);
        var all = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["PSModulePath"] = ModulesDirectory,
        };
        return PwshProcess.Command(script, all);
    }

    public void Dispose()
    {
        SeedHost.Dispose();
        Directory.Delete(ModulesDirectory, recursive: true);
    }
}

/// <summary>Tests that run real pwsh share one module build and run one after another: each pwsh takes a core.</summary>
[CollectionDefinition(Name)]
public sealed class PwshCollection : ICollectionFixture<PwshModule>
{
    public const string Name = "Real pwsh";
}
