namespace FullDbResult.PowerShell.Tests;

/// <summary>The harness captures what later cmdlet tests assert on.</summary>
public sealed class ModuleHostTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ModuleHostTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void WhatIf_text_reaches_the_host_text_and_nothing_happens()
    {
        var path = Path.Combine(Path.GetTempPath(), $"whatif-{Guid.NewGuid():N}");

        var result = _host.Run("New-Item -ItemType Directory -Path $path -WhatIf", new Dictionary<string, object?> { ["path"] = path })
            .AssertSucceeded();

        Assert.Contains("What if:", result.HostText);
        Assert.Contains(path, result.HostText);
        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Errors_warnings_and_verbose_messages_come_back_as_records()
    {
        var result = _host.Run("Write-Error 'e1' -Category ObjectNotFound -TargetObject 't1'; Write-Warning 'w1'; Write-Verbose 'v1' -Verbose; 'out'");

        Assert.Equal(["out"], result.OutputOf<string>());
        var error = Assert.Single(result.Errors);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("t1", error.TargetObject);
        Assert.Equal("w1", Assert.Single(result.Warnings).Message);
        Assert.Equal("v1", Assert.Single(result.Verbose).Message);
        Assert.Null(result.TerminatingError);
    }

    [Fact]
    public void A_terminating_error_is_returned_not_thrown()
    {
        var result = _host.Run("'before'; throw 'stop here'");

        Assert.Equal(["before"], result.OutputOf<string>());
        Assert.Equal("stop here", result.TerminatingError?.Exception.Message);
    }

    [Fact]
    public void Tables_are_formatted_to_the_host_width()
    {
        using var narrow = new ModuleHost(width: 40);

        var result = narrow.Run("[pscustomobject]@{ A = 'x' * 30; B = 'y' * 30 } | Format-Table | Out-Host").AssertSucceeded();

        var lines = result.HostText.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.True(line.Length <= 40, $"'{line}' is wider than 40"));
    }
}
