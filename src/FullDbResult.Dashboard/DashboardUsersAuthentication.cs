using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FullDbResult.Dashboard;

/// <summary>The configured users (<see cref="DashboardUser"/>) that the Basic scheme checks.</summary>
public sealed class DashboardUsersOptions : AuthenticationSchemeOptions
{
    public IList<DashboardUser> Users { get; } = [];
}

/// <summary>
/// HTTP Basic authentication against the configured users' PBKDF2 hashes. The browser asks for the name and
/// password; serve the dashboard over HTTPS (Kestrel's certificate or a proxy), since Basic sends them in each request.
/// </summary>
internal sealed class DashboardUsersHandler(IOptionsMonitor<DashboardUsersOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<DashboardUsersOptions>(options, logger, encoder)
{
    public const string SchemeName = "FullDbResultUsers";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("The Basic credentials are not base64."));
        }
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? credentials : credentials[..colon];
        var password = colon < 0 ? "" : credentials[(colon + 1)..];
        var user = Options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        // An unknown name costs a hash too, so timing does not tell which names exist.
        var valid = DashboardPassword.Verify(password, user?.PasswordHash ?? UnknownUserHash) && user is not null;
        if (!valid)
        {
            Logger.LogWarning("Dashboard sign-in refused for {User}", name);
            return Task.FromResult(AuthenticateResult.Fail("Unknown user or wrong password."));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Basic realm=\"FullDbResult\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }

    private static readonly string UnknownUserHash = DashboardPassword.Hash(Guid.NewGuid().ToString());
}
