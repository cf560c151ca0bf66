using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Commands that only read never create a store: pointed at a mistyped database they say that no store is
/// there (ObjectNotFound, the store named without its password, Initialize-TaskStore named as the fix) and
/// create no schema, no SQLite file and no folder. Only Initialize-TaskStore and the commands that write do.
/// </summary>
public sealed class ReadOnlyStoreTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public ReadOnlyStoreTests(ModuleHostFixture fixture) => _host = fixture.Host;

    public static TheoryData<string, string> ReadOnlyCommands()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in new[] { TestStores.Sqlite, TestStores.PostgreSql })
            foreach (var command in new[] { "Test-TaskQueue", "Get-StaleTask", "Get-TaskResult", "Get-StaleScheduledTask", "Get-PeriodicTask" })
                data.Add(provider, command);
        return data;
    }

    [Theory, MemberData(nameof(ReadOnlyCommands))]
    public void A_read_only_command_on_a_store_without_a_schema_fails_as_not_found_and_creates_nothing(string provider, string command)
    {
        var (connectionString, file) = MissingStore(provider);

        var result = _host.Run($"{command} -ConnectionString $cs", new Dictionary<string, object?> { ["cs"] = connectionString });

        Assert.Empty(result.Output);
        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.StartsWith("StoreNotInitialized,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("Initialize-TaskStore", error.Exception.Message);
        Assert.Equal(RedactedOf(connectionString), error.TargetObject);
        AssertNothingCreated(connectionString, file);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Test_TaskQueue_on_a_mistyped_store_fails_the_ops_check_instead_of_reporting_a_healthy_queue(string provider)
    {
        var (connectionString, file) = MissingStore(provider);

        var result = _host.Run("""
            $ErrorActionPreference = 'Stop'
            try { if ((Test-TaskQueue -ConnectionString $cs).StaleCount -eq 0) { 'healthy' } } catch { 'check failed' }
            """, new Dictionary<string, object?> { ["cs"] = connectionString });

        Assert.Equal(["check failed"], result.OutputOf<string>());
        AssertNothingCreated(connectionString, file);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Connect_to_a_store_without_a_schema_warns_and_creates_nothing(string provider)
    {
        var (connectionString, file) = MissingStore(provider);

        var result = _host.Run("Connect-FullDbResult -ConnectionString $cs; Disconnect-FullDbResult", new Dictionary<string, object?> { ["cs"] = connectionString })
            .AssertSucceeded();

        Assert.Null(Assert.Single(result.Output).Properties["SchemaVersion"].Value);
        Assert.Contains("Initialize-TaskStore", Assert.Single(result.Warnings).Message);
        AssertNothingCreated(connectionString, file);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Initialize_TaskStore_creates_the_store_and_read_only_commands_then_work(string provider)
    {
        var (connectionString, _) = MissingStore(provider);

        var result = _host.Run("""
            Initialize-TaskStore -ConnectionString $cs | Out-Null
            (Test-TaskQueue -ConnectionString $cs).StaleCount
            """, new Dictionary<string, object?> { ["cs"] = connectionString }).AssertSucceeded();

        Assert.Equal([0], result.OutputOf<int>());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Initialize_TaskStore_WhatIf_says_what_it_would_create_and_creates_nothing(string provider)
    {
        var (connectionString, file) = MissingStore(provider);

        var result = _host.Run("Initialize-TaskStore -ConnectionString $cs -WhatIf", new Dictionary<string, object?> { ["cs"] = connectionString })
            .AssertSucceeded();

        Assert.Contains("Create the schema", result.HostText);
        AssertNothingCreated(connectionString, file);
    }

    // A SQLite file in a folder that does not exist yet, or an empty PostgreSQL database.
    private static (string ConnectionString, string? File) MissingStore(string provider)
    {
        if (provider == TestStores.PostgreSql) return (TestStores.NewConnectionString(provider), null);
        var file = Path.Combine(ModuleHost.ScratchDirectory, "mistyped-" + Guid.NewGuid().ToString("N"), "tasks.db");
        return ($"Data Source={file}", file);
    }

    private void AssertNothingCreated(string connectionString, string? file)
    {
        if (file is not null)
        {
            Assert.False(Directory.Exists(Path.GetDirectoryName(file)), "the SQLite file's folder was created");
            return;
        }
        var noSchema = _host.Run("$null -eq (Get-FullDbResultSession -ConnectionString $cs -WarningAction SilentlyContinue).SchemaVersion",
            new Dictionary<string, object?> { ["cs"] = connectionString }).AssertSucceeded();
        Assert.Equal([true], noSchema.OutputOf<bool>());
    }

    private static string RedactedOf(string connectionString)
    {
        var redact = ModuleHost.EngineType("FullDbResult.SecretRedactor").GetMethod("RedactConnectionString")!;
        return (string)redact.Invoke(null, [connectionString])!;
    }
}
