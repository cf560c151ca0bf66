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
            .Validate(o => o.PeriodicScheduler.PollInterval > TimeSpan.Zero, $"{FullDbResultOptions.SectionName}:PeriodicScheduler:PollInterval must be positive.");
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FullDbResultOptions>>().Value;
            var storeOptions = new TaskStoreOptions { AutoMigrate = options.AutoMigrate };
            // Resolved as the cmdlets resolve it: configured, else the environment, else the embedded default.
            return string.IsNullOrWhiteSpace(options.ConnectionString)
                ? new TaskStore(StoreConnection.Resolve(), storeOptions)
                : TaskStore.Open(options.ConnectionString, options.Provider, storeOptions);
        });
        services.TryAddSingleton(sp => new PeriodicTaskStore(sp.GetRequiredService<TaskStore>()));
        services.TryAddSingleton(sp => new ScheduledDispatcher(
            sp.GetRequiredService<TaskStore>(), Publisher(sp), sp.GetService<ILogger<ScheduledDispatcher>>()));
        services.TryAddSingleton(sp => new PeriodicScheduler(
            sp.GetRequiredService<PeriodicTaskStore>(), Publisher(sp), sp.GetService<ILogger<PeriodicScheduler>>()));
        return new FullDbResultBuilder(services);
    }

    private static ITaskPublisher Publisher(IServiceProvider services) =>
        services.GetService<ITaskPublisher>() ?? throw new InvalidOperationException(
            "No ITaskPublisher is registered: add a transport (for RabbitMQ, FullDbResult.RabbitMq) or call UsePublisher.");
}
