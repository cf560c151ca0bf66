using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.Loader;
using Pwsh = System.Management.Automation.PowerShell;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// A runspace with the built module imported by its manifest, the way users import it, and a text host that
/// captures what PowerShell shows a person (-WhatIf text, formatted tables). Runs scripts and returns all
/// their streams. One module folder per test process: PowerShell cannot load two builds of the module's
/// assembly side by side.
/// </summary>
public sealed class ModuleHost : IDisposable
{
    private readonly StringWriter _hostText = new();
    private readonly StringWriter _hostErrorText = new();

    // Tests never touch the user's own store, nor follow a store named in the developer's environment.
    static ModuleHost()
    {
        Environment.SetEnvironmentVariable("FULLDBRESULT_HOME", ScratchDirectory);
        Environment.SetEnvironmentVariable("FULLDBRESULT_CONNECTION_STRING", null);
        Environment.SetEnvironmentVariable("FULLDBRESULT_PROVIDER", null);
    }

    public ModuleHost(int width = 120)
    {
        Host = new TextHost(_hostText, _hostErrorText, width);
        Runspace = ModuleRunspace.Open(Host, ManifestPath);
    }

    /// <summary>The manifest of the module folder the build copied beside the tests.</summary>
    public static string ManifestPath => ModuleRunspace.BesideTests;

    /// <summary>The module folder: manifest, cmdlet assembly, deps/.</summary>
    public static string ModuleDirectory => Path.GetDirectoryName(ManifestPath)!;

    /// <summary>A folder of this test run for databases and files: the embedded default store lives here too.</summary>
    public static string ScratchDirectory { get; } = Directory.CreateTempSubdirectory("FullDbResult.PowerShell.Tests-").FullName;

    /// <summary>The module's own load context; it exists once the module has been imported.</summary>
    public static AssemblyLoadContext ModuleLoadContext => AssemblyLoadContext.All.Single(c => c.Name == "FullDbResult");

    /// <summary>
    /// A type of the FullDbResult library as the module sees it. PowerShell cannot name such types
    /// (<c>[FullDbResult.Tasks.TaskRecord]</c> fails): they live in the module's load context, not the default one.
    /// </summary>
    public static Type EngineType(string fullName) =>
        ModuleLoadContext.LoadFromAssemblyName(new AssemblyName("FullDbResult")).GetType(fullName, throwOnError: true)!;

    public TextHost Host { get; }
    public Runspace Runspace { get; }

    /// <summary>Runs a script; <paramref name="variables"/> are set in the session first.</summary>
    public ScriptResult Run(string script, IReadOnlyDictionary<string, object?>? variables = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
            Runspace.SessionStateProxy.SetVariable(name, value);
        using var ps = Pwsh.Create(Runspace);
        ps.AddScript(script);
        return Invoke(ps);
    }

    /// <summary>
    /// Runs a script on <paramref name="store"/>, connected to it (and to <paramref name="brokerUrl"/>) first as a
    /// user would with Connect-FullDbResult.
    /// </summary>
    public ScriptResult RunOn(SeedStore store, string script, IReadOnlyDictionary<string, object?>? variables = null, string? brokerUrl = null)
    {
        var all = new Dictionary<string, object?>(variables ?? new Dictionary<string, object?>())
        {
            ["storeConnectionString"] = store.ConnectionString,
            ["storeBrokerUrl"] = brokerUrl,
        };
        var broker = brokerUrl is null ? "" : " -BrokerUrl $storeBrokerUrl";
        return Run($"Connect-FullDbResult -ConnectionString $storeConnectionString{broker} | Out-Null\n" + script, all);
    }

    /// <summary>Runs one command with named parameters, as a C# caller of the cmdlet would.</summary>
    public ScriptResult Invoke(string command, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        using var ps = Pwsh.Create(Runspace);
        ps.AddCommand(command);
        foreach (var (name, value) in parameters ?? new Dictionary<string, object?>())
            ps.AddParameter(name, value);
        return Invoke(ps);
    }

    private ScriptResult Invoke(Pwsh ps)
    {
        _hostText.GetStringBuilder().Clear();
        _hostErrorText.GetStringBuilder().Clear();
        // A collection of our own keeps what the script wrote before a terminating error.
        var output = new PSDataCollection<PSObject>();
        ErrorRecord? terminating = null;
        try
        {
            ps.Invoke(null, output);
        }
        catch (RuntimeException exception)
        {
            terminating = exception.ErrorRecord;
        }
        return new ScriptResult(
            output.ToList(),
            ps.Streams.Error.ToList(),
            ps.Streams.Warning.ToList(),
            ps.Streams.Verbose.ToList(),
            ps.Streams.Information.ToList(),
            ps.Streams.Progress.ToList(),
            _hostText.ToString(),
            _hostErrorText.ToString(),
            terminating);
    }

    public void Dispose() => Runspace.Dispose();
}
