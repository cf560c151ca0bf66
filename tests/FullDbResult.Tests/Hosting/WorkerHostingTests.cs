using FullDbResult.Hosting;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using Xunit;

namespace FullDbResult.Tests.Hosting;

/// <summary>The worker as a hosted service in a generic host, against real RabbitMQ and SQLite.</summary>
public class WorkerHostingTests
{
    [Fact]
    public async Task A_host_with_AddWorker_runs_tasks_and_its_stop_lets_the_running_task_finish_and_returns_the_waiting_one()
    {
        var queue = $"test.hosted-worker.{Guid.NewGuid():N}";
        var connectionString = $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-tests", Guid.NewGuid().ToString("N") + ".db")}";
        var release = new TaskCompletionSource();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = connectionString,
            ["FullDbResult:BrokerUrl"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["FullDbResult:Worker:Queues:0"] = queue,
            ["FullDbResult:Worker:Concurrency"] = "1",
            ["FullDbResult:Worker:Prefetch"] = "1",
        });
        builder.Services.AddFullDbResult(builder.Configuration.GetSection(FullDbResultOptions.SectionName))
            .AddWorker(w => w
                .Register("demo.add", (int x, int y) => x + y)
                .Register("demo.slow", async () =>
                {
                    await release.Task;
                    return "finished";
                }));
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<TaskStore>();
        await host.StartAsync();
        await using var publisher = new RabbitMqTaskPublisher(host.Services.GetRequiredService<RabbitMqConnection>());
        var client = new TaskClient(store, publisher);
        var sendOptions = new SendOptions { Queue = queue };

        var added = await client.SendAsync("demo.add", "[2, 3]", sendOptions: sendOptions);
        Assert.Equal("5", (await WaitForStatusAsync(store, added, TaskStates.Success)).Result);

        var slow = await client.SendAsync("demo.slow", "[]", sendOptions: sendOptions);
        await WaitForStatusAsync(store, slow, TaskStates.Started);
        var waiting = await client.SendAsync("demo.add", "[1, 1]", sendOptions: sendOptions);
        var stopping = host.StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted, "The host stopped while a task still ran.");
        release.SetResult();
        await stopping;

        Assert.Equal((TaskStates.Success, "\"finished\""), ((await store.GetAsync(slow))!.Status, (await store.GetAsync(slow))!.Result));
        Assert.Equal(TaskStates.Pending, (await store.GetAsync(waiting))!.Status);
        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync(queue)).MessageCount);
        await channel.QueueDeleteAsync(queue);
    }

    [Fact]
    public async Task A_host_whose_AddWorker_registers_no_handlers_does_not_consume()
    {
        var queue = $"test.hosted-worker.{Guid.NewGuid():N}";
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-tests", Guid.NewGuid().ToString("N") + ".db")}",
            ["FullDbResult:BrokerUrl"] = RabbitMqServer.Shared.AmqpUri.ToString(),
            ["FullDbResult:Worker:Queues:0"] = queue,
        });
        builder.Services.AddFullDbResult(builder.Configuration.GetSection(FullDbResultOptions.SectionName)).AddWorker();
        using var host = builder.Build();

        await host.StartAsync();

        await using var broker = await new ConnectionFactory { Uri = RabbitMqServer.Shared.AmqpUri }.CreateConnectionAsync();
        await using var channel = await broker.CreateChannelAsync();
        // The worker would have declared its queue on start.
        var declared = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync(queue));
        Assert.Contains("NOT_FOUND", declared.Message);
        await host.StopAsync();
    }

    private static async Task<TaskRecord> WaitForStatusAsync(TaskStore store, string taskId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        TaskRecord? row;
        while ((row = await store.GetAsync(taskId))?.Status != status)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {taskId} is {row?.Status ?? "not stored"}, not {status}.");
            await Task.Delay(50);
        }
        return row!;
    }
}
