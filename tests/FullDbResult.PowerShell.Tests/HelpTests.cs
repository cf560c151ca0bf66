namespace FullDbResult.PowerShell.Tests;

/// <summary>The MAML help beside the cmdlet assembly, as Get-Help -Full shows it.</summary>
public sealed class HelpTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public HelpTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void Every_exported_cmdlet_has_a_synopsis_every_parameter_and_two_examples_in_Get_Help_Full()
    {
        // A cmdlet without help gets a synopsis made of its syntax, so a written one must not start with the name.
        var result = _host.Run("""
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            foreach ($command in Get-Command -Module FullDbResult) {
                $help = Get-Help $command.Name -Full
                $documented = @($help.parameters.parameter | ForEach-Object name)
                $missing = @($command.Parameters.Keys | Where-Object { $common -notcontains $_ -and $documented -notcontains $_ })
                $problems = @()
                if ([string]::IsNullOrWhiteSpace($help.Synopsis) -or $help.Synopsis.StartsWith($command.Name)) { $problems += 'no synopsis' }
                if ($missing) { $problems += "parameters without help: $($missing -join ', ')" }
                if (@($help.examples.example).Count -lt 2) { $problems += 'fewer than two examples' }
                if (-not $help.description) { $problems += 'no description' }
                "$($command.Name): $($problems -join '; ')"
            }
            """).AssertSucceeded();

        var lines = result.OutputOf<string>().ToList();
        Assert.True(lines.Count >= 11, string.Join("\n", lines));
        Assert.All(lines, line => Assert.EndsWith(": ", line));
    }

    [Fact]
    public void Get_Help_Examples_shows_the_examples_as_text()
    {
        var result = _host.Run("Get-Help Get-StaleTask -Examples | Out-String").AssertSucceeded();

        var text = string.Concat(result.OutputOf<string>());
        Assert.Contains("Get-StaleTask -Hours 1", text);
        Assert.Contains("PossiblyAborted", text);
    }

    [Fact]
    public void The_about_topic_documents_the_name_rule_the_claim_recovery_pipeline_and_periodic_tasks()
    {
        var result = _host.Run("Get-Help about_FullDbResult | Out-String").AssertSucceeded();

        var text = string.Concat(result.OutputOf<string>());
        Assert.Contains("TASK NAMES AND WILDCARDS", text);
        Assert.Contains("names are case-sensitive", text);
        Assert.Contains("Get-StaleScheduledTask -Minutes 10 | Reset-ScheduledTask", text);
        Assert.Contains("New-PeriodicTask nightly-report reports.nightly -Cron", text);
        Assert.Contains("-Status pending is PENDING", text);
    }

    [Fact]
    public void The_help_file_lands_in_en_US_beside_the_cmdlet_assembly()
    {
        Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleDirectory, "en-US", "FullDbResult.PowerShell.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleDirectory, "FullDbResult.PowerShell.dll")));
    }
}
