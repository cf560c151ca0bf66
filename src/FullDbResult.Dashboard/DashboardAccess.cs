using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace FullDbResult.Dashboard;

/// <summary>
/// The one gate in front of every dashboard endpoint: local requests only, or an authenticated user in the
/// viewer role (GET) or the operator role (anything else). The dashboard authenticates by itself, so it is safe
/// whether or not the application called UseAuthentication.
/// </summary>
internal sealed class DashboardAccess(DashboardOptions options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (options.LocalRequestsOnly)
            return IsLocal(context.Connection.RemoteIpAddress)
                ? await next(invocation)
                : Refuse(StatusCodes.Status403Forbidden, "The dashboard answers only requests from this machine (FullDbResult:Dashboard:LocalRequestsOnly).");

        var authentication = await context.AuthenticateAsync(options.AuthenticationScheme);
        if (!authentication.Succeeded || authentication.Principal.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync(options.AuthenticationScheme);
            return Results.Empty;
        }
        context.User = authentication.Principal;
        var mayAct = context.User.IsInRole(options.OperatorRole);
        if (!mayAct && !context.User.IsInRole(options.ViewerRole))
            return Refuse(StatusCodes.Status403Forbidden, $"'{context.User.Identity.Name}' has neither the {options.ViewerRole} nor the {options.OperatorRole} role.");
        if (!mayAct && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            return Refuse(StatusCodes.Status403Forbidden, $"'{context.User.Identity.Name}' may look but not act (the {options.OperatorRole} role acts).");
        return await next(invocation);
    }

    /// <summary>Whether this request may act (POST), not only look.</summary>
    internal static bool MayAct(HttpContext context, DashboardOptions options) =>
        options.LocalRequestsOnly || context.User.IsInRole(options.OperatorRole);

    /// <summary>
    /// Loopback only. Behind a reverse proxy on this machine every request looks local: there, call
    /// UseForwardedHeaders first, or turn LocalRequestsOnly off and authenticate.
    /// </summary>
    internal static bool IsLocal(IPAddress? remote) => remote is not null && IPAddress.IsLoopback(remote);

    private static IResult Refuse(int status, string reason) => Results.Text(reason, "text/plain", statusCode: status);
}
