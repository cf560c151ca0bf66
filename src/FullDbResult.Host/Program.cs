using FullDbResult.Hosting;
using FullDbResult.RabbitMq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Configuration: appsettings.json, then FullDbResult__* environment variables, then --FullDbResult:Key=value.
var builder = Host.CreateApplicationBuilder(args);
// Each does nothing unless the process runs under the Windows service manager or systemd.
builder.Services.AddWindowsService(options => options.ServiceName = "FullDbResult");
builder.Services.AddSystemd();

var section = builder.Configuration.GetSection(FullDbResultOptions.SectionName);
builder.Services.AddSingleton(_ => new RabbitMqConnection(RabbitMqConnection.ResolveUrl(section["BrokerUrl"]), "fulldbresult-host"));
builder.Services.AddFullDbResult(section)
    .UsePublisher(services => new RabbitMqTaskPublisher(services.GetRequiredService<RabbitMqConnection>()))
    .AddScheduledDispatcher()
    .AddPeriodicScheduler()
    // This program has no task handlers of its own, so its worker stays off: a host of your own that adds them
    // (AddWorker(w => w.Register(...))) runs it from the same FullDbResult:Worker section.
    .AddWorker();

await builder.Build().RunAsync();
