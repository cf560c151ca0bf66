using FullDbResult.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FullDbResult.Host;

/// <summary>
/// The host's web side, from the FullDbResult:Dashboard section: the dashboard (on by default, local requests
/// only) and, with Users configured and LocalRequestsOnly false, Basic sign-in against their password hashes.
/// </summary>
internal static class DashboardHosting
{
    public static void AddDashboard(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DashboardOptions.SectionName);
        if (!section.GetValue("Enabled", true)) return;
        builder.Services.AddFullDbResultDashboard();
        var users = section.GetSection("Users").Get<List<DashboardUser>>() ?? [];
        if (users.Count > 0)
            builder.Services.AddAuthentication().AddFullDbResultDashboardUsers(o => { foreach (var user in users) o.Users.Add(user); });
    }

    public static void MapDashboard(this WebApplication app)
    {
        var section = app.Configuration.GetSection(DashboardOptions.SectionName);
        if (!section.GetValue("Enabled", true)) return;
        var options = new DashboardOptions();
        section.Bind(options);
        var hasUsers = section.GetSection("Users").GetChildren().Any();
        if (!options.LocalRequestsOnly && options.AuthenticationScheme is null)
            options.AuthenticationScheme = hasUsers ? DashboardEndpoints.UsersScheme
                : throw new ArgumentException($"{DashboardOptions.SectionName}:LocalRequestsOnly is false, but no Users (nor AuthenticationScheme) are configured to sign in with.");
        app.MapFullDbResultDashboard(section["Path"] ?? "/", options);
    }
}
