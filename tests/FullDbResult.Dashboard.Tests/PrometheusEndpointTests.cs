using System.Net;
using FullDbResult.Host;
using FullDbResult.Hosting;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FullDbResult.Dashboard.Tests;

/// <summary>The host's metrics wiring (MetricsHosting) over a real worker, PostgreSQL and RabbitMQ, scraped as Prometheus text.</summary>
public class PrometheusEndpointTests
{
    [Fact]
    public async Task The_prometheus_endpoint_counts_a_task_the_worker_ran_and_its_run_time()
    {
        var queue = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = PostgresServer.Shared.CreateDatabase("metrics"),
            ["FullDbResult:Provider"] = "PostgreSql",
            ["FullDbResult:BrokerUrl"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["FullDbResult:Worker:Queues:0"] = queue,
            ["FullDbResult:Metrics:Prometheus"] = "true",
        });
        builder.Services.AddFullDbResult(builder.Configuration.GetSection("FullDbResult"))
            .UsePublisher(services => new RabbitMqTaskPublisher(services.GetRequiredService<RabbitMqConnection>()))
            .AddWorker(handlers => handlers.Register("metrics.add", (int x, int y) => x + y));
        builder.AddMetrics();
        await using var app = builder.Build();
        app.MapMetrics();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var store = app.Services.GetRequiredService<TaskStore>();

        var id = await new TaskClient(store, app.Services.GetRequiredService<ITaskPublisher>())
            .SendAsync("metrics.add", "[2, 3]", sendOptions: new SendOptions { RoutingKey = queue });
        for (var i = 0; i < 300 && (await store.GetAsync(id))?.Status != TaskStates.Success; i++) await Task.Delay(100);
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        await app.StopAsync();

        Assert.Equal(TaskStates.Success, (await store.GetAsync(id))!.Status);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("fulldbresult_tasks_started_total\\{[^}]*task=\"metrics.add\"[^}]*\\} 1", text);
        Assert.Matches("fulldbresult_tasks_succeeded_total\\{[^}]*task=\"metrics.add\"[^}]*\\} 1", text);
        Assert.Matches("fulldbresult_task_run_time_seconds_count\\{[^}]*task=\"metrics.add\"[^}]*\\} 1", text);
    }
}
