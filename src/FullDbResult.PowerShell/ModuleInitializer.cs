using System.Reflection;
using System.Runtime.Loader;

namespace FullDbResult.PowerShell;

/// <summary>
/// Sends the cmdlets' requests for the FullDbResult engine assemblies to the module's own load context.
/// The engine is the only bridge: the default context never sees Dapper, Npgsql or SqlClient, and the
/// engine's dependencies resolve inside the module's context (Microsoft Learn, "Resolving PowerShell
/// module assembly dependency conflicts").
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EnginePrefix = "FullDbResult";

    private static readonly Lazy<DependencyLoadContext> Context = new(() => new DependencyLoadContext(
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "deps")));

    public void OnImport()
    {
        _ = Context.Value;
        // Import-Module -Force calls OnImport again: never register twice.
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || !name.StartsWith(EnginePrefix, StringComparison.Ordinal)) return null;
        if (!File.Exists(Path.Combine(Context.Value.DepsDirectory, name + ".dll"))) return null;
        return Context.Value.LoadFromAssemblyName(assemblyName);
    }
}
