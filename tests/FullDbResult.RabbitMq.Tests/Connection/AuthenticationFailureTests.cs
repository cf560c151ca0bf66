using FullDbResult.RabbitMq.Tests.Support;
using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Connection;

/// <summary>A wrong broker password is an authentication failure, said as such, never "not reachable" (issue 11 defect 8, issue 12 defect 6).</summary>
public sealed class AuthenticationFailureTests
{
    private const string WrongPassword = "Wr0ng/Secret=x9";

    internal static string UrlWithWrongPassword =>
        new UriBuilder(RabbitMqServer.Shared.AmqpUri) { Password = Uri.EscapeDataString(WrongPassword) }.Uri.ToString();

    [Fact]
    public async Task Verify_with_a_wrong_password_throws_an_authentication_exception_naming_user_host_and_vhost_but_not_the_password()
    {
        await using var connection = new RabbitMqConnection(UrlWithWrongPassword);

        var refused = await Assert.ThrowsAsync<RabbitMqAuthenticationException>(() => connection.VerifyAsync());

        Assert.Equal(("guest", "127.0.0.1", RabbitMqServer.Shared.Port, "/"), (refused.UserName, refused.Host, refused.Port, refused.VirtualHost));
        Assert.Contains("refused user 'guest'", refused.Message);
        Assert.Contains($"127.0.0.1:{RabbitMqServer.Shared.Port}", refused.Message);
        Assert.Contains("authentication failed", refused.Message);
        Assert.Contains("ACCESS_REFUSED", refused.Message);
        Assert.DoesNotContain("not reachable", refused.Message);
        Assert.DoesNotContain(WrongPassword, refused.ToString());
        Assert.DoesNotContain(Uri.EscapeDataString(WrongPassword), refused.ToString());
    }

    [Fact]
    public async Task Opening_a_channel_with_a_wrong_password_throws_the_authentication_exception_too()
    {
        await using var connection = new RabbitMqConnection(UrlWithWrongPassword);

        await Assert.ThrowsAsync<RabbitMqAuthenticationException>(() => connection.CreateChannelAsync());
    }

    [Fact]
    public async Task Verify_against_a_closed_port_is_unreachable_not_an_authentication_failure()
    {
        // A port just freed by a listener: nothing accepts there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var connection = new RabbitMqConnection($"amqp://guest:guest@127.0.0.1:{port}/");

        var unreachable = await Assert.ThrowsAsync<RabbitMqUnavailableException>(() => connection.VerifyAsync());

        Assert.Contains("not reachable", unreachable.Message);
    }

    [Fact]
    public async Task Verify_with_the_right_password_opens_the_connection()
    {
        await using var connection = Broker.Connect();

        await connection.VerifyAsync();
        await using var channel = await connection.CreateChannelAsync();
        Assert.True(channel.IsOpen);
    }
}
