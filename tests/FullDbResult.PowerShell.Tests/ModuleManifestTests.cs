using System.Collections;
using System.Management.Automation;
using System.Reflection;

namespace FullDbResult.PowerShell.Tests;

public sealed class ModuleManifestTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ModuleManifestTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void Test_ModuleManifest_accepts_the_built_module_folder()
    {
        var result = _host.Run("Test-ModuleManifest -Path $manifest", new Dictionary<string, object?> { ["manifest"] = ModuleHost.ManifestPath })
            .AssertSucceeded();

        var module = Assert.Single(result.OutputOf<PSModuleInfo>());
        Assert.Equal("FullDbResult", module.Name);
        Assert.Equal(new Version(7, 4), module.PowerShellVersion);
        Assert.Equal(["Core"], module.CompatiblePSEditions);
    }

    [Fact]
    public void The_exported_commands_are_exactly_the_cmdlets_the_manifest_lists()
    {
        var manifest = ReadManifest();
        var listed = ((object[])manifest["CmdletsToExport"]!).Cast<string>().Order();

        var exported = _host.Run("Get-Command -Module FullDbResult | ForEach-Object Name").AssertSucceeded()
            .OutputOf<string>().Order();

        Assert.Equal(listed, exported);
    }

    [Fact]
    public void Every_cmdlet_class_in_the_module_is_listed_in_CmdletsToExport()
    {
        var manifest = ReadManifest();
        var listed = ((object[])manifest["CmdletsToExport"]!).Cast<string>().Order();

        var assembly = _host.Run("(Get-Module FullDbResult).ImplementingAssembly").AssertSucceeded()
            .OutputOf<Assembly>().Single();
        var cmdlets = assembly.GetExportedTypes()
            .Select(t => t.GetCustomAttribute<CmdletAttribute>())
            .OfType<CmdletAttribute>()
            .Select(c => $"{c.VerbName}-{c.NounName}")
            .Order();

        Assert.Equal(cmdlets, listed);
    }

    [Fact]
    public void The_manifest_exports_no_functions_aliases_or_variables_by_wildcard()
    {
        var manifest = ReadManifest();

        foreach (var key in new[] { "FunctionsToExport", "AliasesToExport", "VariablesToExport" })
            Assert.Empty((object[])manifest[key]!);
    }

    [Fact]
    public void The_format_file_defines_a_table_and_a_list_view_for_the_task_record()
    {
        var result = _host.Run("(Get-FormatData -TypeName FullDbResult.Tasks.TaskRecord).FormatViewDefinition.Control")
            .AssertSucceeded();

        var controls = result.Output.Select(o => o.BaseObject.GetType().Name).Order();
        Assert.Equal(["ListControl", "TableControl"], controls);
    }

    [Fact]
    public void Get_Help_finds_the_about_topic()
    {
        var result = _host.Run("Get-Help about_FullDbResult | Out-String").AssertSucceeded();

        Assert.Contains("WHERE THE STORE IS", string.Concat(result.OutputOf<string>()));
    }

    private Hashtable ReadManifest() =>
        _host.Run("Import-PowerShellDataFile -Path $manifest", new Dictionary<string, object?> { ["manifest"] = ModuleHost.ManifestPath })
            .AssertSucceeded().OutputOf<Hashtable>().Single();
}
