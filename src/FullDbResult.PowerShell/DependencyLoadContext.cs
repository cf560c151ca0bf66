using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace FullDbResult.PowerShell;

/// <summary>
/// The module's own load context: the FullDbResult engine assemblies and everything they use (Dapper,
/// Npgsql, SqlClient, SQLite, RabbitMQ.Client, Microsoft.Extensions.*) load here from the module's deps/
/// folder, so another module's copy of any of them never meets ours.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    public const string ContextName = "FullDbResult";

    private readonly string _depsDirectory;
    private readonly Lazy<Dictionary<string, string>> _managed;
    private readonly Lazy<Dictionary<string, string>> _sharedFramework = new(IndexSharedFramework);

    public DependencyLoadContext(string depsDirectory)
        : base(ContextName)
    {
        _depsDirectory = depsDirectory;
        _managed = new Lazy<Dictionary<string, string>>(IndexManagedAssemblies);
    }

    public string DepsDirectory => _depsDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null) return null;

        if (!string.IsNullOrEmpty(assemblyName.CultureName))
        {
            var satellite = Path.Combine(_depsDirectory, assemblyName.CultureName, name + ".dll");
            return File.Exists(satellite) ? LoadFromAssemblyPath(satellite) : null;
        }

        if (!_managed.Value.TryGetValue(name, out var path)) return null;

        // The same rule the .NET host applies to an application: a framework assembly that is at least
        // as new as the one we ship wins. A second System.Diagnostics.DiagnosticSource, for one, would cut
        // the module off from the host's tracing.
        if (_sharedFramework.Value.TryGetValue(name, out var frameworkPath)
            && AssemblyName.GetAssemblyName(frameworkPath).Version >= AssemblyName.GetAssemblyName(path).Version)
            return null;

        return LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var rid in RuntimeIdentifiers())
        {
            var nativeDirectory = Path.Combine(_depsDirectory, "runtimes", rid, "native");
            foreach (var fileName in NativeFileNames(unmanagedDllName))
            {
                var path = Path.Combine(nativeDirectory, fileName);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle)) return handle;
            }
        }
        return IntPtr.Zero;
    }

    // deps/<name>.dll, overridden by the build for this operating system under deps/runtimes/<os>/lib/<tfm>/:
    // Microsoft.Data.SqlClient's portable assembly is a placeholder that throws PlatformNotSupportedException.
    private Dictionary<string, string> IndexManagedAssemblies()
    {
        var index = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in Directory.EnumerateFiles(_depsDirectory, "*.dll"))
            index[Path.GetFileNameWithoutExtension(path)] = path;

        var osLib = Path.Combine(_depsDirectory, "runtimes", OperatingSystem.IsWindows() ? "win" : "unix", "lib");
        if (Directory.Exists(osLib))
            foreach (var path in Directory.EnumerateFiles(osLib, "*.dll", SearchOption.AllDirectories))
                index[Path.GetFileNameWithoutExtension(path)] = path;
        return index;
    }

    private static Dictionary<string, string> IndexSharedFramework()
    {
        var index = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var frameworkDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator);
        foreach (var path in trusted)
            if (path.StartsWith(frameworkDirectory, StringComparison.OrdinalIgnoreCase))
                index[Path.GetFileNameWithoutExtension(path)] = path;
        return index;
    }

    // The exact identifier first (linux-musl-x64 on Alpine), then the portable one for a runtime built with a
    // distribution-specific identifier.
    private static IEnumerable<string> RuntimeIdentifiers()
    {
        yield return RuntimeInformation.RuntimeIdentifier;
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        yield return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
    }

    // DllImport names come bare ("e_sqlite3") or dotted ("Microsoft.Data.SqlClient.SNI"), so a dot is no extension.
    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        var extension = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)) yield break;
        if (!OperatingSystem.IsWindows()) yield return "lib" + name + extension;
        yield return name + extension;
    }
}
