using System.Data.Common;
using System.Management.Automation;
using System.Net;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// No password reaches anything the module shows, returns or throws (output, the session object and its
/// ToString, verbose lines, warnings, errors with their targets and inner exceptions), whatever characters
/// it holds: the characters that break URL and connection-string parsing are the ones that used to leak.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class PasswordLeakTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public static TheoryData<string> NastyPasswords => new(
        "EnvSecret/Zx9=",
        "p@ss:w/rd#x?y",
        "sl%2Fash%40at",
        "semi;colon=Pwd",
        "quo\"te'single",
        "sp ace{br}[x]",
        "ünï€ode-Pässwort");

    [Theory, MemberData(nameof(NastyPasswords))]
    public void A_broker_URL_given_to_Connect_never_shows_its_password(string password)
    {
        var result = _host.Run("""
            $session = Connect-FullDbResult -ConnectionString "Data Source=$db" -BrokerUrl "amqp://ops2:$password@127.0.0.1:1/" -Verbose
            $session
            $session | Format-List * | Out-Default
            "$session"
            Get-FullDbResultSession -Verbose
            """, Variables(("db", NewSqliteFile()), ("password", password)));

        AssertNoPassword(result, password);
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void A_broker_URL_in_FULLDBRESULT_BROKER_URL_never_shows_its_password(string password)
    {
        Environment.SetEnvironmentVariable("FULLDBRESULT_BROKER_URL", $"amqp://ops2:{password}@127.0.0.1:1/");
        try
        {
            var result = _host.Run("Send-Task email.send -ConnectionString \"Data Source=$db\" -Verbose", Variables(("db", NewSqliteFile())));

            Assert.NotNull(result.FirstError);
            AssertNoPassword(result, password);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FULLDBRESULT_BROKER_URL", null);
        }
    }

    [Fact]
    public void A_broker_URL_that_does_not_parse_is_an_invalid_argument_that_says_how_to_write_it()
    {
        var result = _host.Run("""Connect-FullDbResult -ConnectionString "Data Source=$db" -BrokerUrl 'amqp://ops2:EnvSecret/Zx9=@host/'""",
            Variables(("db", NewSqliteFile())));

        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.Equal("InvalidBrokerUrl,FullDbResult.PowerShell.Commands.ConnectFullDbResultCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("amqp://ops2:***@host/", error.TargetObject);
        Assert.Contains("percent-encoded", error.Exception.Message);
        Assert.Contains("-BrokerCredential", error.Exception.Message);
        AssertNoPassword(result, "EnvSecret/Zx9=");
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void A_store_password_and_SSL_password_never_show_on_a_store_that_answers(string password)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = TestStores.NewConnectionString(TestStores.PostgreSql) };
        builder["Password"] = password;
        builder["SSL Password"] = password;

        var result = _host.Run("""
            $session = Connect-FullDbResult -ConnectionString $cs -Verbose
            $session
            $session | Format-List * | Out-Default
            "$session"
            Get-FullDbResultSession -Verbose
            Test-TaskQueue -ConnectionString $cs -Verbose
            Initialize-TaskStore -ConnectionString $cs -Verbose
            """, Variables(("cs", builder.ConnectionString)));

        Assert.Contains(result.Output, o => o.BaseObject.GetType().Name == "FullDbResultSession");
        AssertNoPassword(result, password);
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void A_store_password_never_shows_when_the_store_is_unreachable_or_the_URL_is_malformed(string password)
    {
        var keywords = new DbConnectionStringBuilder { ["Host"] = "127.0.0.1", ["Port"] = 1, ["Username"] = "ops", ["Password"] = password, ["Database"] = "tasks", ["Timeout"] = 2 };

        var result = _host.Run("""
            Connect-FullDbResult -ConnectionString $keywords -Verbose
            Get-StaleTask -ConnectionString $keywords -Verbose
            Connect-FullDbResult -ConnectionString "postgresql://ops:$password@127.0.0.1:1/tasks" -Verbose
            """, Variables(("keywords", keywords.ConnectionString), ("password", password)));

        Assert.Equal(3, result.Errors.Count);
        AssertNoPassword(result, password);
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void Credential_gives_the_store_user_and_password_apart_from_the_connection_string_and_never_shows_the_password(string password)
    {
        var connectionString = new DbConnectionStringBuilder { ConnectionString = TestStores.NewConnectionString(TestStores.PostgreSql) };
        connectionString.Remove("Username");
        connectionString.Remove("Password");

        var result = _host.Run("""
            Connect-FullDbResult -ConnectionString $cs -Credential $credential -Verbose
            """, Variables(("cs", connectionString.ConnectionString), ("credential", Credential("no_such_role", password))));

        // The server's trust authentication takes any password, but not a role it does not have: the refusal
        // names the credential's user, which proves the credential reached the connection.
        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.Contains("no_such_role", error.Exception.Message);
        AssertNoPassword(result, password);
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void BrokerCredential_logs_in_with_any_password_and_never_shows_it(string password)
    {
        var user = "ops_" + Guid.NewGuid().ToString("N")[..8];
        TestStores.RunRabbitMqCtl("add_user", user, password);
        TestStores.RunRabbitMqCtl("set_permissions", "-p", "/", user, ".*", ".*", ".*");
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, """
            Send-Task email.send -BrokerUrl $url -BrokerCredential $credential -Verbose
            Invoke-ScheduledDispatch -BrokerUrl $url -BrokerCredential $credential -Verbose
            """, Variables(("url", TestStores.BrokerUrl), ("credential", Credential(user, password))));

        result.AssertSucceeded();
        Assert.Equal("PENDING", Assert.Single(result.Output, o => o.Properties["Status"] is not null).Properties["Status"].Value);
        AssertNoPassword(result, password);
    }

    public void Dispose() => _host.Dispose();

    private static PSCredential Credential(string user, string password) => new(user, new NetworkCredential("", password).SecurePassword);

    private static string NewSqliteFile() => Path.Combine(ModuleHost.ScratchDirectory, $"{Guid.NewGuid():N}.db");

    private static Dictionary<string, object?> Variables(params (string Name, object? Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => v.Value);

    /// <summary>Neither the password nor its percent-encoded form appears in anything the script produced.</summary>
    private static void AssertNoPassword(ScriptResult result, string password)
    {
        var errors = result.TerminatingError is { } terminating ? result.Errors.Append(terminating) : result.Errors;
        var shown = string.Join("\n", result.Output.Select(o => o?.ToString())
            .Concat(result.Output.Where(o => o is not null).SelectMany(o => o.Properties.Select(p => $"{p.Name}={p.Value}")))
            .Concat(result.Verbose.Select(v => v.Message))
            .Concat(result.Warnings.Select(w => w.Message))
            .Concat(errors.Select(e => $"{e} {e.TargetObject} {e.Exception} {e.ErrorDetails} {e.CategoryInfo}"))
            .Append(result.HostText)
            .Append(result.HostErrorText));
        Assert.DoesNotContain(password, shown);
        Assert.DoesNotContain(Uri.EscapeDataString(password), shown);
    }
}
