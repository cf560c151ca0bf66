using FullDbResult.Host;
using FullDbResult.Hosting;
using FullDbResult.RabbitMq;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Configuration: appsettings.json, then FullDbResult__* environment variables, then --FullDbResult:Key=value.
// A web host: the dashboard (DashboardHosting) is served on Urls (appsettings.json: localhost only).
var builder = WebApplication.CreateBuilder(args);
// Each does nothing unless the process runs under the Windows service manager or systemd.
builder.Services.AddWindowsService(options => options.ServiceName = "FullDbResult");
builder.Services.AddSystemd();

var section = builder.Configuration.GetSection(FullDbResultOptions.SectionName);
builder.Services.AddSingleton(services => new RabbitMqConnection(
    RabbitMqConnection.ResolveUrl(section["BrokerUrl"]), "fulldbresult-host", services.GetRequiredService<ILogger<RabbitMqConnection>>()));
builder.Services.AddFullDbResult(section)
    .UsePublisher(services => new RabbitMqTaskPublisher(services.GetRequiredService<RabbitMqConnection>()))
    .AddScheduledDispatcher()
    .AddPeriodicScheduler()
    // This program has no task handlers of its own, so its worker stays off: a host of your own that adds them
    // (AddWorker(w => w.Register(...))) runs it from the same FullDbResult:Worker section.
    .AddWorker()
    // Off unless FullDbResult:EventMonitor:Enabled: Celery's events (workers with -E) into the store.
    .AddEventMonitor();
builder.AddDashboard();
builder.AddMetrics();

try
{
    await using var host = builder.Build();
    host.MapDashboard();
    host.MapMetrics();
    // Credentials are checked before the services start, so a wrong password ends the process at once
    // instead of every dispatch pass failing.
    try
    {
        await host.Services.GetRequiredService<RabbitMqConnection>().VerifyAsync();
    }
    catch (RabbitMqUnavailableException ex)
    {
        // A broker that is down at start is left to the services, which retry.
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FullDbResult.Host").LogWarning("{Error}", ex.Message);
    }
    await host.RunAsync();
    return 0;
}
// Configuration errors: one line that says which, and a non-zero exit; a stack trace would only bury the message.
catch (Exception ex) when (ex is RabbitMqAuthenticationException or ArgumentException or OptionsValidationException)
{
    Console.Error.WriteLine($"FullDbResult.Host: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}
