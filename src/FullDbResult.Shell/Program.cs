using System.Management.Automation;
using System.Management.Automation.Runspaces;
using FullDbResult.Shell;

ShellArguments arguments;
try
{
    arguments = ShellArguments.Parse(args);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine(exception.Message);
    Console.Error.WriteLine(ShellArguments.Usage);
    return 2;
}
if (arguments.Help)
{
    Console.WriteLine(ShellArguments.Usage);
    return 0;
}

var terminal = !Console.IsOutputRedirected;
var host = new TextHost(Console.Out, Console.Error, terminal ? Math.Max(Console.WindowWidth, 80) : 120, ansi: terminal);
var manifest = arguments.Module is { } module ? ModuleRunspace.ManifestPath(module) : ModuleRunspace.BesideShell;
Runspace runspace;
try
{
    runspace = ModuleRunspace.Open(host, manifest);
}
catch (RuntimeException exception)
{
    Console.Error.WriteLine($"Cannot import the FullDbResult module from {manifest}: {exception.Message}");
    return 1;
}
using (runspace)
{
    return ScriptRunner.Run(runspace, host, arguments);
}
