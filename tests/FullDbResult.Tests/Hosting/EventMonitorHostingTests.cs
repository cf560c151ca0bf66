using System.Text;
using FullDbResult.Hosting;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.Tests.Hosting;

/// <summary>The Celery event monitor as a hosted service, configured from the FullDbResult:EventMonitor section.</summary>
public class EventMonitorHostingTests
{
    [Fact]
    public async Task A_host_with_AddEventMonitor_enabled_stores_the_events_published_on_celeryev()
    {
        var queue = $"test.hosted-monitor.{Guid.NewGuid():N}";
        using var host = BuildHost(queue, enabled: true);
        var store = host.Services.GetRequiredService<TaskStore>();
        await host.StartAsync();
        var id = "hosted-" + Guid.NewGuid();

        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        await channel.BasicPublishAsync("celeryev", "task.succeeded", mandatory: false, new BasicProperties { ContentType = "application/json" },
            Encoding.UTF8.GetBytes($$"""{"type": "task-succeeded", "uuid": "{{id}}", "result": "42", "hostname": "py@h", "timestamp": 1795989548.5}"""));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await store.GetAsync(id))?.Status != TaskStates.Success)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Task {id} was not stored as SUCCESS.");
            await Task.Delay(50);
        }
        Assert.Equal("42", (await store.GetAsync(id))!.ResultRepr);
        await host.StopAsync();
        await channel.QueueDeleteAsync(queue);
    }

    [Fact]
    public async Task A_host_whose_event_monitor_is_not_enabled_declares_no_queue()
    {
        var queue = $"test.hosted-monitor.{Guid.NewGuid():N}";
        using var host = BuildHost(queue, enabled: false);

        await host.StartAsync();

        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        var declared = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync(queue));
        Assert.Contains("NOT_FOUND", declared.Message);
        await host.StopAsync();
    }

    private static IHost BuildHost(string queue, bool enabled)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-tests", Guid.NewGuid().ToString("N") + ".db")}",
            ["FullDbResult:BrokerUrl"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["FullDbResult:EventMonitor:Enabled"] = enabled ? "true" : "false",
            ["FullDbResult:EventMonitor:Queue"] = queue,
            ["FullDbResult:EventMonitor:BatchSize"] = "100",
        });
        builder.Services.AddFullDbResult(builder.Configuration.GetSection(FullDbResultOptions.SectionName)).AddEventMonitor();
        return builder.Build();
    }
}
