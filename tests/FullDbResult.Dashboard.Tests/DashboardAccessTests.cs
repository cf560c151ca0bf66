using System.Net;
using FullDbResult.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FullDbResult.Dashboard.Tests;

/// <summary>Every refusal of the dashboard's gate, each over a real HTTP connection to Kestrel.</summary>
public class DashboardAccessTests
{
    private const string OperatorPassword = "op-Pa55word!", ViewerPassword = "view-Pa55word!";

    private static Task<DashboardApp> WithUsersAsync() => DashboardApp.StartAsync(
        new DashboardOptions { LocalRequestsOnly = false, AuthenticationScheme = DashboardEndpoints.UsersScheme },
        builder => builder.Services.AddAuthentication().AddFullDbResultDashboardUsers(o =>
        {
            o.Users.Add(new DashboardUser { Name = "olivia", PasswordHash = DashboardPassword.Hash(OperatorPassword), Role = "FullDbResult.Operator" });
            o.Users.Add(new DashboardUser { Name = "victor", PasswordHash = DashboardPassword.Hash(ViewerPassword), Role = "FullDbResult.Viewer" });
            o.Users.Add(new DashboardUser { Name = "nobody", PasswordHash = DashboardPassword.Hash(ViewerPassword), Role = "Accounting" });
        }));

    [Fact]
    public async Task A_local_request_may_look_and_act_by_default()
    {
        await using var app = await DashboardApp.StartAsync();
        await SeedData.FailedAsync(app.Store, "local-1");
        using var client = app.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("")).StatusCode);
        var token = await DashboardApp.TokenFromAsync(client, "tasks");
        var response = await client.PostAsync("actions/retry", Form(token, ("id", "local-1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("retried as", await response.Content.ReadAsStringAsync());
        Assert.NotNull((await app.Store.GetAsync("local-1"))!.RetriedAs);
    }

    [Fact]
    public async Task A_request_from_another_machine_is_refused_by_default()
    {
        // What UseForwardedHeaders does behind a proxy: the connection's remote address becomes the client's.
        await using var app = await DashboardApp.StartAsync(beforeDashboard: web => web.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
            return next(context);
        }));
        using var client = app.Client();

        var response = await client.GetAsync("tasks");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("only requests from this machine", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_anonymous_request_is_challenged_when_the_dashboard_requires_sign_in()
    {
        await using var app = await WithUsersAsync();
        using var client = app.Client();

        var response = await client.GetAsync("");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain("<h1>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await using var app = await WithUsersAsync();
        using var client = app.Client("olivia", "not-the-password");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task A_signed_in_user_without_a_dashboard_role_is_refused()
    {
        await using var app = await WithUsersAsync();
        using var client = app.Client("nobody", ViewerPassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_may_look_but_not_act_and_sees_no_action_buttons()
    {
        await using var app = await WithUsersAsync();
        await SeedData.FailedAsync(app.Store, "viewer-1");
        using var client = app.Client("victor", ViewerPassword);

        var page = await client.GetStringAsync("tasks/viewer-1");
        var token = await DashboardApp.TokenFromAsync(client, "tasks");
        var response = await client.PostAsync("actions/retry", Form(token, ("id", "viewer-1")));

        Assert.Contains("ValueError: bad address", page);
        Assert.DoesNotContain("Retry…", page);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("may look but not act", await response.Content.ReadAsStringAsync());
        Assert.Null((await app.Store.GetAsync("viewer-1"))!.RetriedAs);
    }

    [Fact]
    public async Task An_operator_may_act()
    {
        await using var app = await WithUsersAsync();
        await SeedData.FailedAsync(app.Store, "operator-1");
        using var client = app.Client("olivia", OperatorPassword);

        var token = await DashboardApp.TokenFromAsync(client, "tasks");
        var response = await client.PostAsync("actions/retry", Form(token, ("id", "operator-1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await app.Store.GetAsync("operator-1"))!.RetriedAs);
    }

    [Fact]
    public async Task An_action_without_an_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using var app = await DashboardApp.StartAsync();
        await SeedData.FailedAsync(app.Store, "csrf-1");
        using var client = app.Client();
        await client.GetStringAsync("tasks");

        var response = await client.PostAsync("actions/retry", new FormUrlEncodedContent([new("id", "csrf-1")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("antiforgery token", await response.Content.ReadAsStringAsync());
        Assert.Null((await app.Store.GetAsync("csrf-1"))!.RetriedAs);
    }

    [Fact]
    public async Task An_action_with_another_sessions_antiforgery_token_is_refused_and_changes_nothing()
    {
        await using var app = await DashboardApp.StartAsync();
        await SeedData.FailedAsync(app.Store, "csrf-2");
        using var attacker = app.Client();
        using var victim = app.Client();
        // A token from the attacker's own session, posted with the victim's cookie: what a forged cross-site form carries.
        var attackerToken = await DashboardApp.TokenFromAsync(attacker, "tasks");
        await victim.GetStringAsync("tasks");

        var response = await victim.PostAsync("actions/retry", Form(attackerToken, ("id", "csrf-2")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null((await app.Store.GetAsync("csrf-2"))!.RetriedAs);
    }

    [Fact]
    public async Task No_page_shows_the_store_password()
    {
        const string password = "Dashboard-Secret-81723";
        var connection = Testing.PostgresServer.Shared.CreateDatabase("dashboard") + $";Password={password}";
        await using var app = await DashboardApp.StartAsync(connectionString: connection);
        await SeedData.FailedAsync(app.Store, "secret-1");
        using var client = app.Client();

        foreach (var page in new[] { "", "tasks", "tasks/secret-1", "scheduled", "periodic", "workers", "tasks?since=not-a-time" })
            Assert.DoesNotContain(password, await (await client.GetAsync(page)).Content.ReadAsStringAsync());
    }

    internal static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Prepend(KeyValuePair.Create("__RequestVerificationToken", token)));
}
