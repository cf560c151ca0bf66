using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// A broker that refuses the login is reported as an authentication failure that names the user and the host
/// (never the password), and the command fails, even when it had nothing to send.
/// </summary>
public sealed class BrokerAuthenticationTests : IClassFixture<ModuleHostFixture>
{
    private const string WrongPassword = "not-the-Password-42";
    private readonly ModuleHost _host;

    public BrokerAuthenticationTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void Invoke_ScheduledDispatch_with_a_wrong_password_fails_as_authentication_failed_when_nothing_is_due()
    {
        var result = _host.RunOn(new SeedStore(TestStores.Sqlite), "Invoke-ScheduledDispatch -Confirm:$false", brokerUrl: WrongPasswordUrl());

        Assert.Empty(result.Output);
        AssertAuthenticationFailed(result, "InvokeScheduledDispatchCommand");
    }

    [Fact]
    public void Send_Task_with_a_wrong_password_fails_as_authentication_failed_not_as_unreachable()
    {
        var result = _host.RunOn(new SeedStore(TestStores.Sqlite), "Send-Task email.send", brokerUrl: WrongPasswordUrl());

        AssertAuthenticationFailed(result, "SendTaskCommand");
        Assert.DoesNotContain("not reachable", result.FirstError!.Exception.Message);
    }

    [Fact]
    public void A_broker_that_is_not_there_is_still_reported_as_unreachable()
    {
        var result = _host.RunOn(new SeedStore(TestStores.Sqlite), "Invoke-ScheduledDispatch -Confirm:$false", brokerUrl: "amqp://guest:guest@127.0.0.1:1/");

        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.StartsWith("BrokerUnreachable,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
    }

    private static string WrongPasswordUrl()
    {
        var broker = new UriBuilder(TestStores.BrokerUrl) { Password = WrongPassword };
        return broker.Uri.ToString();
    }

    private static void AssertAuthenticationFailed(ScriptResult result, string command)
    {
        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        var broker = new Uri(TestStores.BrokerUrl);
        Assert.Equal($"BrokerAuthenticationFailed,FullDbResult.PowerShell.Commands.{command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("authentication failed", error.Exception.Message);
        Assert.Contains($"'{broker.UserInfo.Split(':')[0]}'", error.Exception.Message);
        Assert.Contains($"{broker.Host}:{broker.Port}", error.Exception.Message);
        Assert.DoesNotContain(WrongPassword, $"{error} {error.TargetObject} {error.Exception}");
    }
}
