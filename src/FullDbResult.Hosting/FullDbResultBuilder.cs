using FullDbResult.Publishing;
using FullDbResult.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FullDbResult.Hosting;

/// <summary>
/// Returned by <c>AddFullDbResult</c>: adds the loops this host runs, and is where a transport plugs in its
/// publisher (and, from the transport's own package, its worker) as extension methods.
/// </summary>
public sealed class FullDbResultBuilder
{
    internal FullDbResultBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    /// <summary>The publisher the dispatcher and the scheduler send with: a transport's, such as RabbitMQ's.</summary>
    public FullDbResultBuilder UsePublisher(Func<IServiceProvider, ITaskPublisher> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>Runs the scheduled-task dispatcher's loop as a hosted service (FullDbResult:Dispatcher).</summary>
    public FullDbResultBuilder AddScheduledDispatcher() => AddLoop("Scheduled dispatch", services =>
    {
        var settings = Settings(services).Dispatcher;
        return settings.Enabled
            ? services.GetRequiredService<ScheduledDispatcher>().CreateLoop(settings.Interval,
                new DispatchOptions { BatchSize = settings.BatchSize, Limit = settings.Limit }, settings.MaxBackoff)
            : null;
    });

    /// <summary>Runs the periodic-task scheduler's loop as a hosted service (FullDbResult:PeriodicScheduler).</summary>
    public FullDbResultBuilder AddPeriodicScheduler() => AddLoop("Periodic scheduler", services =>
    {
        var settings = Settings(services).PeriodicScheduler;
        return settings.Enabled
            ? services.GetRequiredService<PeriodicScheduler>().CreateLoop(settings.PollInterval, settings.MaxBackoff)
            : null;
    });

    // One hosted service per loop, however often it is asked for.
    private FullDbResultBuilder AddLoop(string name, Func<IServiceProvider, PollingLoop?> create)
    {
        if (Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(PollingLoopService))) return this;
        Services.AddKeyedSingleton(name, (services, _) => new PollingLoopService(name, create(services),
            services.GetService<ILoggerFactory>()?.CreateLogger<PollingLoopService>() ?? (ILogger)NullLogger.Instance));
        Services.AddSingleton<IHostedService>(services => services.GetRequiredKeyedService<PollingLoopService>(name));
        return this;
    }

    /// <summary>
    /// Runs the RabbitMQ worker as a hosted service (FullDbResult:Worker) with the handlers
    /// <paramref name="register"/> adds; every call adds to the same worker. Without handlers it does not start.
    /// The broker is a registered <see cref="RabbitMq.RabbitMqConnection"/>, else FullDbResult:BrokerUrl.
    /// </summary>
    public FullDbResultBuilder AddWorker(Action<TaskHandlers>? register = null)
    {
        // One collection of handlers, filled now by every call, so that nothing is resolved to register them.
        var handlers = Services.FirstOrDefault(d => d.ServiceType == typeof(TaskHandlers))?.ImplementationInstance as TaskHandlers;
        if (handlers is null)
        {
            handlers = new TaskHandlers();
            Services.AddSingleton(handlers);
        }
        register?.Invoke(handlers);
        AddBrokerConnection();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TaskWorkerService>());
        return this;
    }

    /// <summary>
    /// Runs the Celery event monitor as a hosted service (FullDbResult:EventMonitor, off unless Enabled): Celery's
    /// events from the celeryev exchange into the store. The broker is resolved as for <see cref="AddWorker"/>.
    /// </summary>
    public FullDbResultBuilder AddEventMonitor()
    {
        AddBrokerConnection();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventMonitorService>());
        return this;
    }

    // The worker's and the monitor's broker, unless the host registered one.
    private void AddBrokerConnection() => Services.TryAddSingleton(sp => new RabbitMq.RabbitMqConnection(
        RabbitMq.RabbitMqConnection.ResolveUrl(Settings(sp).BrokerUrl), "fulldbresult-worker"));

    private static FullDbResultOptions Settings(IServiceProvider services) =>
        services.GetRequiredService<IOptions<FullDbResultOptions>>().Value;
}
