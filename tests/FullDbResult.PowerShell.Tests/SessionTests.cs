using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Connect-FullDbResult, Disconnect-FullDbResult, and the order in which a command finds its store.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class SessionTests : IDisposable
{
    private const string Password = "s3cret-Pa55";
    private readonly ModuleHost _host = new();

    [Fact]
    public void Connect_returns_a_session_that_shows_the_broker_without_its_password()
    {
        var result = _host.Run("""
            $session = Connect-FullDbResult -ConnectionString "Data Source=$db" -BrokerUrl "amqp://guest:$password@rabbit:5672//" -Verbose
            $session
            $session | Format-List * | Out-String
            "$session"
            """, Variables(("db", NewDatabase()), ("password", Password))).AssertSucceeded();

        var session = Assert.Single(result.Output, o => o.BaseObject.GetType().Name == "FullDbResultSession");
        Assert.Equal("amqp://guest:***@rabbit:5672//", session.Properties["Broker"].Value);
        Assert.Equal("-ConnectionString", session.Properties["Source"].Value);
        AssertNoPassword(result);
    }

    [Fact]
    public void Connect_to_an_unreachable_store_fails_with_a_connection_error_that_names_no_password()
    {
        var result = _host.Run("Connect-FullDbResult -ConnectionString $cs -Verbose",
            Variables(("cs", $"Host=127.0.0.1;Port=1;Username=ops;Password={Password};Database=tasks;Timeout=2")));

        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains("password=***", (string)error.TargetObject, StringComparison.OrdinalIgnoreCase);
        AssertNoPassword(result);
    }

    [Fact]
    public void A_connection_string_without_a_known_provider_is_an_invalid_argument_that_names_no_password()
    {
        var result = _host.Run("Connect-FullDbResult -ConnectionString $cs",
            Variables(("cs", $"Frobnicate=1;Password={Password}")));

        Assert.Equal(ErrorCategory.InvalidArgument, result.FirstError?.CategoryInfo.Category);
        AssertNoPassword(result);
    }

    [Fact]
    public void Commands_use_the_session_from_Connect_until_Disconnect()
    {
        var database = NewDatabase();

        var connected = _host.Run("""
            $session = Connect-FullDbResult -ConnectionString "Data Source=$db"
            [object]::ReferenceEquals($session, (Get-FullDbResultSession))
            """, Variables(("db", database))).AssertSucceeded();
        var disconnected = _host.Run("Disconnect-FullDbResult; Get-FullDbResultSession").AssertSucceeded();

        Assert.Equal([true], connected.OutputOf<bool>());
        Assert.Equal("embedded default", Property(Assert.Single(disconnected.Output), "Source"));
    }

    [Fact]
    public void ConnectionString_wins_over_the_current_session()
    {
        var other = NewDatabase();

        var result = _host.Run("""
            Connect-FullDbResult -ConnectionString "Data Source=$current" | Out-Null
            Get-FullDbResultSession -ConnectionString "Data Source=$other"
            """, Variables(("current", NewDatabase()), ("other", other))).AssertSucceeded();

        var session = Assert.Single(result.Output);
        Assert.Equal("-ConnectionString", Property(session, "Source"));
        Assert.Contains(other, Property(session, "Store"));
    }

    [Fact]
    public void A_session_given_by_parameter_or_pipeline_wins_over_the_current_one()
    {
        var result = _host.Run("""
            $first = Connect-FullDbResult -ConnectionString "Data Source=$first"
            Connect-FullDbResult -ConnectionString "Data Source=$second" | Out-Null
            [object]::ReferenceEquals($first, (Get-FullDbResultSession -Session $first))
            [object]::ReferenceEquals($first, ($first | Get-FullDbResultSession))
            """, Variables(("first", NewDatabase()), ("second", NewDatabase()))).AssertSucceeded();

        Assert.Equal([true, true], result.OutputOf<bool>());
    }

    [Fact]
    public void The_environment_names_the_store_when_there_is_no_session()
    {
        var database = NewDatabase();
        Environment.SetEnvironmentVariable("FULLDBRESULT_CONNECTION_STRING", $"Data Source={database}");
        try
        {
            var result = _host.Run("Get-FullDbResultSession").AssertSucceeded();

            var session = Assert.Single(result.Output);
            Assert.Equal("FULLDBRESULT_CONNECTION_STRING", Property(session, "Source"));
            Assert.Contains(database, Property(session, "Store"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("FULLDBRESULT_CONNECTION_STRING", null);
        }
    }

    [Fact]
    public void Without_a_connection_string_session_or_environment_commands_use_the_embedded_store()
    {
        var result = _host.Run("Get-FullDbResultSession").AssertSucceeded();

        var session = Assert.Single(result.Output);
        Assert.Equal("embedded default", Property(session, "Source"));
        Assert.Contains(ModuleHost.ScratchDirectory, Property(session, "Store"));
    }

    [Fact]
    public void Provider_without_ConnectionString_is_an_invalid_argument()
    {
        var result = _host.Run("Get-FullDbResultSession -Provider PostgreSql");

        Assert.Equal(ErrorCategory.InvalidArgument, result.FirstError?.CategoryInfo.Category);
    }

    [Fact]
    public void Provider_takes_exactly_the_names_of_the_library_providers()
    {
        var result = _host.Run("""
            foreach ($command in 'Connect-FullDbResult', 'Get-FullDbResultSession') {
                ((Get-Command $command).Parameters['Provider'].Attributes | Where-Object ValidValues).ValidValues -join ','
            }
            """).AssertSucceeded();

        var names = string.Join(',', Enum.GetNames(ModuleHost.EngineType("FullDbResult.Storage.DatabaseProvider")));
        Assert.Equal([names, names], result.OutputOf<string>());
    }

    [Fact]
    public void Each_runspace_has_its_own_current_session()
    {
        using var other = new ModuleHost();
        _host.Run("Connect-FullDbResult -ConnectionString \"Data Source=$db\"", Variables(("db", NewDatabase()))).AssertSucceeded();

        var result = other.Run("Get-FullDbResultSession").AssertSucceeded();

        Assert.Equal("embedded default", Property(Assert.Single(result.Output), "Source"));
    }

    public void Dispose() => _host.Dispose();

    private static string NewDatabase() => Path.Combine(ModuleHost.ScratchDirectory, $"{Guid.NewGuid():N}.db");

    private static Dictionary<string, object?> Variables(params (string Name, object? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);

    private static string Property(PSObject item, string name) => (string)item.Properties[name].Value;

    private static void AssertNoPassword(ScriptResult result)
    {
        var errors = result.TerminatingError is { } terminating ? result.Errors.Append(terminating) : result.Errors;
        var shown = string.Join("\n", result.Output.Select(o => o?.ToString())
            .Concat(result.Verbose.Select(v => v.Message))
            .Concat(errors.Select(e => $"{e} {e.TargetObject} {e.Exception}"))
            .Append(result.HostText)
            .Append(result.HostErrorText));
        Assert.DoesNotContain(Password, shown);
    }
}
