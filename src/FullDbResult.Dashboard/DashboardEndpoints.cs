using FullDbResult.Dashboard.Pages;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FullDbResult.Dashboard;

public static class DashboardEndpoints
{
    /// <summary>
    /// Registers what the dashboard needs besides the library's services (a TaskStore, and an ITaskPublisher to
    /// retry and trigger): antiforgery for its forms.
    /// </summary>
    public static IServiceCollection AddFullDbResultDashboard(this IServiceCollection services) => services.AddAntiforgery();

    /// <summary>
    /// Adds the scheme "FullDbResultUsers": HTTP Basic against configured users with PBKDF2 password hashes
    /// (<see cref="DashboardPassword.Hash"/>). Name it in <see cref="DashboardOptions.AuthenticationScheme"/>.
    /// </summary>
    public static AuthenticationBuilder AddFullDbResultDashboardUsers(this AuthenticationBuilder builder, Action<DashboardUsersOptions> configure) =>
        builder.AddScheme<DashboardUsersOptions, DashboardUsersHandler>(DashboardUsersHandler.SchemeName, configure);

    /// <summary>The name of the scheme <see cref="AddFullDbResultDashboardUsers"/> adds.</summary>
    public const string UsersScheme = DashboardUsersHandler.SchemeName;

    /// <summary>
    /// Maps the dashboard's pages and actions under <paramref name="pattern"/>. By default only requests from
    /// this machine are answered (<see cref="DashboardOptions.LocalRequestsOnly"/>).
    /// </summary>
    public static RouteGroupBuilder MapFullDbResultDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/dashboard", DashboardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        options ??= new DashboardOptions();
        if (options.PageSize is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(options), "DashboardOptions.PageSize must be between 1 and 1000.");
        var prefix = "/" + pattern.Trim('/');
        var group = endpoints.MapGroup(prefix).AddEndpointFilter(new DashboardAccess(options));
        DashboardRequest Request(HttpContext context) => new(context, options, prefix == "/" ? "" : prefix);

        group.MapGet("/", context => Respond(context, OverviewPage.RenderAsync(Request(context))));
        group.MapGet("/tasks", context => Respond(context, TasksPage.RenderAsync(Request(context))));
        group.MapGet("/tasks/{id}", (HttpContext context, string id) => TaskPage.RenderAsync(Request(context), id));
        group.MapGet("/scheduled", context => Respond(context, ScheduledPage.RenderAsync(Request(context))));
        group.MapGet("/periodic", context => Respond(context, PeriodicPage.RenderAsync(Request(context))));
        group.MapGet("/workers", context => Respond(context, WorkersPage.RenderAsync(Request(context))));
        group.MapPost("/actions/{action}", (HttpContext context, string action) => ActionsPage.HandleAsync(Request(context), action))
            .DisableAntiforgery(); // validated by the handler itself, so the app needs no UseAntiforgery()
        return group;
    }

    private static async Task Respond(HttpContext context, Task<IResult> page) => await (await page).ExecuteAsync(context);
}
