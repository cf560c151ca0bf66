using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.RegularExpressions;

namespace FullDbResult.Shell;

/// <summary>Runs a script file or a command through Out-Default, as pwsh -File and pwsh -Command do.</summary>
public static partial class ScriptRunner
{
    /// <returns>The process exit code: the script's <c>exit</c> code, 1 after a terminating error, else 0.</returns>
    public static int Run(Runspace runspace, PSHost host, ShellArguments arguments)
    {
        if (arguments.File is { } file) return RunFile(runspace, host, Path.GetFullPath(file), arguments.FileArguments);

        // A command runs as a script file: "exit" in a script ends the script, while "exit" at the top level
        // stops the whole pipeline, Out-Default included, and loses the table it has not yet written.
        var commandFile = Path.Combine(Path.GetTempPath(), $"FullDbResult.Shell-{Guid.NewGuid():N}.ps1");
        File.WriteAllText(commandFile, arguments.Command);
        try
        {
            return RunFile(runspace, host, commandFile, []);
        }
        finally
        {
            File.Delete(commandFile);
        }
    }

    private static int RunFile(Runspace runspace, PSHost host, string path, IReadOnlyList<string> fileArguments)
    {
        using var ps = PowerShell.Create(runspace);
        ps.AddScript(CommandLine(path, fileArguments));
        // Errors take the output's path, so they show in order with it; Out-Default sends them to stderr.
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");

        try
        {
            ps.Invoke();
        }
        catch (RuntimeException exception)
        {
            ShowError(runspace, host, exception.ErrorRecord);
            return 1;
        }
        // "exit N" in a script file ends the script and sets $LASTEXITCODE.
        return runspace.SessionStateProxy.GetVariable("LASTEXITCODE") as int? ?? 0;
    }

    // Out-Default would send a bare error record to the output; only errors from the error stream go to stderr.
    private static void ShowError(Runspace runspace, PSHost host, ErrorRecord error)
    {
        using var ps = PowerShell.Create(runspace);
        var text = ps.AddCommand("Out-String").AddParameter("InputObject", error).Invoke<string>();
        host.UI.WriteErrorLine(string.Concat(text).Trim());
    }

    // The script call as pwsh -File makes it: "-Name" stays a parameter name (binding the next argument, or
    // a switch), "-Name:value" a parameter with its value; everything else is a literal string, never code.
    private static string CommandLine(string path, IReadOnlyList<string> arguments)
    {
        var line = new StringBuilder("& ").Append(Literal(path));
        foreach (var argument in arguments)
        {
            line.Append(' ');
            var name = ParameterName().Match(argument);
            if (!name.Success) line.Append(Literal(argument));
            else if (argument.Length == name.Length) line.Append(argument);
            else line.Append(name.Value).Append(Value(argument[name.Length..]));
        }
        return line.ToString();
    }

    // -Switch:$false works with pwsh -File too.
    private static string Value(string value) =>
        value.Equals("$true", StringComparison.OrdinalIgnoreCase) || value.Equals("$false", StringComparison.OrdinalIgnoreCase)
            ? value
            : Literal(value);

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    [GeneratedRegex(@"^-[A-Za-z_][A-Za-z0-9_]*(:|$)")]
    private static partial Regex ParameterName();
}
