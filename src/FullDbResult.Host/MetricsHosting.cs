using FullDbResult.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace FullDbResult.Host;

/// <summary>
/// The optional Prometheus endpoint (FullDbResult:Metrics:Prometheus, off by default) that serves the
/// FullDbResult meter, so a team with Grafana scrapes the same numbers the dashboard shows. Like the dashboard it
/// answers local requests only unless FullDbResult:Metrics:AllowRemote is true (then restrict it at the network).
/// </summary>
internal static class MetricsHosting
{
    public const string SectionName = "FullDbResult:Metrics";

    public static void AddMetrics(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetSection(SectionName).GetValue("Prometheus", false)) return;
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(FullDbResultMetrics.MeterName).AddPrometheusExporter());
    }

    public static void MapMetrics(this WebApplication app)
    {
        var section = app.Configuration.GetSection(SectionName);
        if (!section.GetValue("Prometheus", false)) return;
        var path = section["Path"] ?? "/metrics";
        if (!section.GetValue("AllowRemote", false))
            app.Use((context, next) =>
            {
                if (!context.Request.Path.StartsWithSegments(path) || Dashboard.DashboardAccess.IsLocal(context.Connection.RemoteIpAddress)) return next(context);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            });
        app.MapPrometheusScrapingEndpoint(path);
    }
}
