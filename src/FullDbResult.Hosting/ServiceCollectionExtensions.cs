using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using FullDbResult.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the task store, the periodic-task store, the dispatcher and the scheduler, configured from
    /// <paramref name="configuration"/> (the "FullDbResult" section of a host's configuration). Chain
    /// AddScheduledDispatcher and AddPeriodicScheduler to run them, and UsePublisher (or a transport's
    /// extension) to send.
    /// </summary>
    public static FullDbResultBuilder AddFullDbResult(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FullDbResultOptions>().Bind(configuration);
        return services.AddFullDbResultCore();
    }

    /// <summary>Registers FullDbResult configured in code.</summary>
    public static FullDbResultBuilder AddFullDbResult(this IServiceCollection services, Action<FullDbResultOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FullDbResultOptions>().Configure(configure);
        return services.AddFullDbResultCore();
    }

    private static FullDbResultBuilder AddFullDbResultCore(this IServiceCollection services)
    {
        services.AddOptions<FullDbResultOptions>()
            .Validate(o => o.Dispatcher.Interval > TimeSpan.Zero, $"{FullDbResultOptions.SectionName}:Dispatcher:Interval must be positive.")
            .Validate(o => o.Dispatcher.BatchSize > 0, $"{FullDbResultOptions.SectionName}:Dispatcher:BatchSize must be positive.")
            .Validate(o => o.PeriodicScheduler.PollInterval > TimeSpan.Zero, $"{FullDbResultOptions.SectionName}:PeriodicScheduler:PollInterval must be positive.")
            .Validate(o => !(o.Dispatcher.MaxBackoff < o.Dispatcher.Interval), $"{FullDbResultOptions.SectionName}:Dispatcher:MaxBackoff must be at least the interval.")
            .Validate(o => !(o.PeriodicScheduler.MaxBackoff < o.PeriodicScheduler.PollInterval), $"{FullDbResultOptions.SectionName}:PeriodicScheduler:MaxBackoff must be at least the poll interval.");
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton(sp => new PeriodicTaskStore(sp.GetRequiredService<TaskStore>()));
        services.TryAddSingleton(sp => new ScheduledDispatcher(
            sp.GetRequiredService<TaskStore>(), Publisher(sp), sp.GetService<ILogger<ScheduledDispatcher>>()));
        services.TryAddSingleton(sp => new PeriodicScheduler(
            sp.GetRequiredService<PeriodicTaskStore>(), Publisher(sp), sp.GetService<ILogger<PeriodicScheduler>>()));
        return new FullDbResultBuilder(services);
    }

    // Resolved by StoreConnection.Resolve, as the cmdlets resolve it: configured, else the environment, else the
    // embedded default, which a service on a server rarely means: so that one is a warning that says how to
    // configure the real one.
    private static TaskStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<FullDbResultOptions>>().Value;
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(TaskStore).FullName!);
        var store = new TaskStore(StoreConnection.Resolve(options.ConnectionString, options.Provider),
            new TaskStoreOptions { AutoMigrate = options.AutoMigrate });
        switch (store.Connection.Source)
        {
            case StoreSource.Given:
                logger?.LogInformation("Task store: {Store}", store);
                break;
            case StoreSource.Environment:
                logger?.LogInformation("Task store from {Variable}: {Store}", StoreConnection.ConnectionStringVariable, store);
                break;
            default:
                logger?.LogWarning("No task store is configured ({Section}:ConnectionString or {Variable}): using the embedded default, {Store}, which nothing on another machine sees",
                    FullDbResultOptions.SectionName, StoreConnection.ConnectionStringVariable, store);
                break;
        }
        return store;
    }

    private static ITaskPublisher Publisher(IServiceProvider services) =>
        services.GetService<ITaskPublisher>() ?? throw new InvalidOperationException(
            "No ITaskPublisher is registered: add a transport (for RabbitMQ, FullDbResult.RabbitMq) or call UsePublisher.");
}
