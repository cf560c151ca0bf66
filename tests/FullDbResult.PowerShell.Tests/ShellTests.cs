using System.Diagnostics;

namespace FullDbResult.PowerShell.Tests;

/// <summary>The shell as a process, run from the build output with the module folder beside it.</summary>
public sealed class ShellTests
{
    [Fact]
    public void A_command_runs_with_the_module_imported_and_exits_with_zero()
    {
        var (exitCode, output, error) = RunShell("-Command", "(Get-Module FullDbResult).Name; 1..2 | ForEach-Object { \"line $_\" }");

        Assert.True(exitCode == 0, error);
        Assert.Equal(["FullDbResult", "line 1", "line 2"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_command_that_throws_exits_non_zero_with_the_error_on_stderr()
    {
        var (exitCode, output, error) = RunShell("-Command", "'before'; throw 'the store is gone'; 'after'");

        Assert.Equal(1, exitCode);
        Assert.Equal("before", output.Trim());
        Assert.Contains("the store is gone", error);
    }

    [Fact]
    public void A_script_file_gets_its_named_arguments_and_sets_the_exit_code()
    {
        var script = Path.Combine(Path.GetTempPath(), $"shell-test-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(script, "param([string] $Name, [switch] $Loud)\n\"$Name $Loud\"\nexit 3\n");
        try
        {
            var (exitCode, output, error) = RunShell("-File", script, "-Name", "it's me", "-Loud");

            Assert.True(exitCode == 3, error);
            Assert.Equal("it's me True", output.Trim());
        }
        finally
        {
            File.Delete(script);
        }
    }

    [Fact]
    public void A_module_path_that_does_not_import_exits_non_zero_and_says_why()
    {
        var (exitCode, output, error) = RunShell("-Module", Path.Combine(Path.GetTempPath(), "no-such-module"), "-Command", "'never'");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("Cannot import the FullDbResult module", error);
    }

    [Fact]
    public void Formatted_output_is_plain_text_when_redirected()
    {
        var (exitCode, output, error) = RunShell("-Command", "Get-Module FullDbResult | Format-List Name");

        Assert.True(exitCode == 0, error);
        Assert.Equal("Name : FullDbResult", output.Trim());
    }

    private static (int ExitCode, string Output, string Error) RunShell(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FullDbResult.Shell.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the shell did not finish in two minutes");
        return (process.ExitCode, output, error.Result);
    }
}
