using FullDbResult.Hosting;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

using TestTasks = FullDbResult.Tests.Storage.Tasks;

namespace FullDbResult.Tests.Hosting;

public class HostingTests
{
    private static string NewSqlite() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), "fulldbresult-tests", Guid.NewGuid().ToString("N") + ".db")}";

    [Fact]
    public void The_store_and_both_loops_are_configured_from_the_FullDbResult_section()
    {
        var connectionString = NewSqlite();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = connectionString,
            ["FullDbResult:Provider"] = "Sqlite",
            ["FullDbResult:Dispatcher:Interval"] = "00:00:30",
            ["FullDbResult:Dispatcher:BatchSize"] = "200",
            ["FullDbResult:PeriodicScheduler:Enabled"] = "false",
        }).Build();
        var services = new ServiceCollection();

        services.AddFullDbResult(configuration.GetSection(FullDbResultOptions.SectionName))
            .UsePublisher(_ => new RecordingPublisher())
            .AddScheduledDispatcher()
            .AddPeriodicScheduler();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FullDbResultOptions>>().Value;
        Assert.Equal((TimeSpan.FromSeconds(30), 200, false), (options.Dispatcher.Interval, options.Dispatcher.BatchSize, options.PeriodicScheduler.Enabled));
        var store = provider.GetRequiredService<TaskStore>();
        Assert.Equal((DatabaseProvider.Sqlite, connectionString), (store.Connection.Provider, store.Connection.ConnectionString));
        Assert.Equal(2, provider.GetServices<IHostedService>().Count());
        Assert.Same(store, provider.GetRequiredService<PeriodicTaskStore>().Tasks);
    }

    [Fact]
    public void Each_loop_is_one_hosted_service_however_often_it_is_added()
    {
        var services = new ServiceCollection();

        services.AddFullDbResult(o => o.ConnectionString = NewSqlite())
            .UsePublisher(_ => new RecordingPublisher())
            .AddScheduledDispatcher().AddScheduledDispatcher()
            .AddPeriodicScheduler().AddPeriodicScheduler();
        using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Equal(2, hosted.Count);
        Assert.Single(hosted.Select(h => h.GetType()).Distinct());
    }

    [Fact]
    public void Without_a_connection_string_the_store_is_resolved_as_the_cmdlets_resolve_it_and_the_log_says_which()
    {
        var log = new LogCapture();
        var services = new ServiceCollection().AddLogging(logging => logging.AddProvider(log));
        services.AddFullDbResult(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<TaskStore>();

        Assert.Equal(StoreConnection.Resolve().ConnectionString, store.Connection.ConnectionString);
        var line = Assert.Single(log.Lines);
        Assert.Contains(store.ToString(), line.Message);
        // The embedded default is a warning that names the setting; a store from the environment is not.
        var embedded = StoreConnection.FromEnvironment() is null;
        Assert.Equal(embedded ? LogLevel.Warning : LogLevel.Information, line.Level);
        Assert.Equal(embedded, line.Message.Contains("FullDbResult:ConnectionString or FULLDBRESULT_CONNECTION_STRING"));
    }

    [Fact]
    public void A_configured_store_is_logged_without_its_password()
    {
        var log = new LogCapture();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionString"] = "Host=db.example;Database=tasks;Username=ops;Password=hunter2",
        }).Build();
        var services = new ServiceCollection().AddLogging(logging => logging.AddProvider(log));
        services.AddFullDbResult(configuration);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TaskStore>();

        var line = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("PostgreSQL database 'tasks' on db.example", line.Message);
        Assert.DoesNotContain("hunter2", line.Message);
    }

    private sealed class LogCapture : ILoggerProvider, ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
        public void Dispose() { }
    }

    [Fact]
    public void A_non_positive_interval_is_named_when_the_options_are_read()
    {
        var services = new ServiceCollection();
        services.AddFullDbResult(o => o.Dispatcher.Interval = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FullDbResultOptions>>().Value);

        Assert.Contains("FullDbResult:Dispatcher:Interval must be positive.", error.Message);
    }

    [Fact]
    public void A_dispatcher_without_a_publisher_says_a_transport_is_missing()
    {
        var services = new ServiceCollection();
        services.AddFullDbResult(o => o.ConnectionString = NewSqlite());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ScheduledDispatcher>());

        Assert.Contains("No ITaskPublisher is registered", error.Message);
    }

    [Fact]
    public async Task A_host_dispatches_due_scheduled_tasks_and_sends_periodic_tasks_until_it_stops()
    {
        var connectionString = NewSqlite();
        var broker = new RecordingPublisher();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FullDbResult:ConnectionString"] = connectionString,
            ["FullDbResult:Dispatcher:Interval"] = "00:00:00.100",
            ["FullDbResult:PeriodicScheduler:PollInterval"] = "00:00:00.100",
        });
        builder.Services.AddFullDbResult(builder.Configuration.GetSection(FullDbResultOptions.SectionName))
            .UsePublisher(_ => broker)
            .AddScheduledDispatcher()
            .AddPeriodicScheduler();
        var store = TaskStore.Open(connectionString);
        await store.InsertAsync(TestTasks.Scheduled(DateTime.UtcNow.AddSeconds(-1), "due"));
        await new PeriodicTaskStore(store).AddAsync(new PeriodicTask { Name = "tick", TaskName = "health.tick", IntervalSeconds = 1 });

        using var host = builder.Build();
        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(broker.Sent.Any(s => s.Message.Name == "report.build") && broker.Sent.Any(s => s.Message.Name == "health.tick")) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await host.StopAsync();

        Assert.Single(broker.Sent, s => s.Message.Name == "report.build");
        Assert.Contains(broker.Sent, s => s.Message.Name == "health.tick");
        Assert.Equal(TaskStates.ScheduledSent, (await store.GetAsync("due"))!.Status);
    }
}
