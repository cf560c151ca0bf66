using System.Management.Automation;
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
try
{
    using var runspace = ModuleRunspace.Open(host, manifest);
    return ScriptRunner.Run(runspace, host, arguments);
}
catch (RuntimeException exception)
{
    Console.Error.WriteLine($"Cannot import the FullDbResult module from {manifest}: {exception.Message}");
    return 1;
}
