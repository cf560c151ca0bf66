using System.Management.Automation.Language;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// The Pester ops checks shipped in the module's Examples folder. Pester cannot run here, so each file is parsed
/// with PowerShell's parser and every pipeline that calls a module cmdlet is run, up to its Should, against a
/// real store.
/// </summary>
public sealed class ExampleChecksTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ExampleChecksTests(ModuleHostFixture fixture) => _host = fixture.Host;

    private static IEnumerable<string> FileNames =>
        Directory.GetFiles(Path.Combine(ModuleHost.ModuleDirectory, "Examples"), "*.Tests.ps1").Select(path => Path.GetFileName(path));

    public static TheoryData<string> ExampleFiles => new(FileNames);

    [Fact]
    public void The_module_ships_the_three_ops_checks()
    {
        Assert.Equal(new[] { "ScheduledTasks.Tests.ps1", "StaleTasks.Tests.ps1", "Workers.Tests.ps1" }, FileNames.Order());
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void An_example_parses_without_errors(string file)
    {
        Parser.ParseFile(Path.Combine(ModuleHost.ModuleDirectory, "Examples", file), out _, out var errors);

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void The_cmdlet_pipelines_of_an_example_run_against_a_real_store(string file)
    {
        var pipelines = CmdletPipelines(Path.Combine(ModuleHost.ModuleDirectory, "Examples", file));
        var now = SeedStore.Now;
        foreach (var provider in new[] { TestStores.Sqlite, TestStores.PostgreSql })
        {
            var store = new SeedStore(provider)
                .Heartbeat("celery@w1", now)
                .Insert(now.AddHours(-2), SeedStore.NewTask("stale", "t", "STARTED", worker: "celery@w1"))
                .Insert(now.AddMinutes(-20), SeedStore.NewTask("due", "t", "SCHEDULED", eta: now.AddMinutes(-20)));

            Assert.NotEmpty(pipelines);
            foreach (var pipeline in pipelines)
                _host.RunOn(store, pipeline).AssertSucceeded();
        }
    }

    /// <summary>Each pipeline that calls a cmdlet of the module, cut before its first Should.</summary>
    private List<string> CmdletPipelines(string path)
    {
        var cmdlets = _host.Run("Get-Command -Module FullDbResult | ForEach-Object Name").AssertSucceeded().OutputOf<string>().ToHashSet();
        var script = Parser.ParseFile(path, out _, out _);
        return script.FindAll(ast => ast is PipelineAst, searchNestedScriptBlocks: true)
            .Cast<PipelineAst>()
            .Where(p => p.PipelineElements.OfType<CommandAst>().Any(c => cmdlets.Contains(c.GetCommandName() ?? "")))
            .Select(p => string.Join(" | ", p.PipelineElements
                .TakeWhile(e => (e as CommandAst)?.GetCommandName() != "Should")
                .Select(e => e.Extent.Text)))
            .ToList();
    }
}
