using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// The module's dependencies load from its deps/ folder into its own load context, so another module's
/// Dapper or SqlClient in the same session never collides with ours. This process plays the other module:
/// it has its own Dapper (2.0.123) in the default context.
/// </summary>
public sealed class DependencyIsolationTests : IClassFixture<ModuleHostFixture>
{
    private static readonly string DepsDirectory = Path.Combine(ModuleHost.ModuleDirectory, "deps");

    private readonly AssemblyLoadContext _moduleContext;

    private readonly ModuleHost _host;

    public DependencyIsolationTests(ModuleHostFixture fixture)
    {
        _host = fixture.Host;
        _moduleContext = ModuleHost.ModuleLoadContext;
    }

    [Fact]
    public void The_cmdlets_load_the_FullDbResult_library_into_the_module_context_only()
    {
        _host.Run("Get-FullDbResultSession -ConnectionString 'Data Source=:memory:'").AssertSucceeded();

        var engine = Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "FullDbResult");
        Assert.Same(_moduleContext, AssemblyLoadContext.GetLoadContext(engine));
        Assert.Equal(Path.Combine(DepsDirectory, "FullDbResult.dll"), engine.Location);
    }

    [Fact]
    public void The_module_Dapper_loads_in_the_module_context_beside_the_Dapper_of_the_default_context()
    {
        var defaultDapper = typeof(Dapper.SqlMapper).Assembly;

        var moduleDapper = _moduleContext.LoadFromAssemblyName(new AssemblyName("Dapper"));

        Assert.NotSame(defaultDapper, moduleDapper);
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(defaultDapper));
        Assert.Same(_moduleContext, AssemblyLoadContext.GetLoadContext(moduleDapper));
        Assert.Equal(Path.Combine(DepsDirectory, "Dapper.dll"), moduleDapper.Location);
        Assert.NotEqual(FileVersion(defaultDapper), FileVersion(moduleDapper));
    }

    [Fact]
    public void SqlClient_loads_the_build_for_this_operating_system_not_the_portable_placeholder()
    {
        var sqlClient = _moduleContext.LoadFromAssemblyName(new AssemblyName("Microsoft.Data.SqlClient"));

        var os = OperatingSystem.IsWindows() ? "win" : "unix";
        Assert.Equal(Path.Combine(DepsDirectory, "runtimes", os, "lib", "net8.0", "Microsoft.Data.SqlClient.dll"), sqlClient.Location);
        // The placeholder throws PlatformNotSupportedException from every constructor.
        dynamic builder = Activator.CreateInstance(sqlClient.GetType("Microsoft.Data.SqlClient.SqlConnectionStringBuilder", throwOnError: true)!)!;
        builder.DataSource = "db.example";
        Assert.Equal("Data Source=db.example", (string)builder.ConnectionString);
    }

    [Fact]
    public void SQLite_runs_on_the_native_library_from_the_module_deps_folder()
    {
        var sqlite = _moduleContext.LoadFromAssemblyName(new AssemblyName("Microsoft.Data.Sqlite"));

        dynamic connection = Activator.CreateInstance(sqlite.GetType("Microsoft.Data.Sqlite.SqliteConnection", throwOnError: true)!, "Data Source=:memory:")!;
        using (connection)
        {
            connection.Open();
            dynamic command = connection.CreateCommand();
            command.CommandText = "select sqlite_version()";
            Assert.Matches(@"^3\.\d+\.\d+$", (string)command.ExecuteScalar());
        }

        var nativeDirectory = Path.Combine(DepsDirectory, "runtimes");
        Assert.Contains(Process.GetCurrentProcess().Modules.Cast<ProcessModule>(),
            m => m.FileName.StartsWith(nativeDirectory, StringComparison.Ordinal) && m.ModuleName.Contains("e_sqlite3"));
    }

    [Fact]
    public void A_framework_assembly_comes_from_the_framework_when_it_is_as_new_as_the_one_in_deps()
    {
        // deps/ carries System.Diagnostics.DiagnosticSource 9 for PowerShell 7.4 on .NET 8; on .NET 10 the
        // framework's own is newer, and a second copy would cut the module off from the host's tracing.
        var diagnosticSource = _moduleContext.LoadFromAssemblyName(new AssemblyName("System.Diagnostics.DiagnosticSource"));

        Assert.Same(typeof(Activity).Assembly, diagnosticSource);
    }

    private static string? FileVersion(Assembly assembly) => FileVersionInfo.GetVersionInfo(assembly.Location).FileVersion;
}
