using FullDbResult.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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

    /// <summary>Runs the scheduled-task dispatcher as a hosted service (FullDbResult:Dispatcher).</summary>
    public FullDbResultBuilder AddScheduledDispatcher()
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, ScheduledDispatchService>());
        return this;
    }

    /// <summary>Runs the periodic-task scheduler as a hosted service (FullDbResult:PeriodicScheduler).</summary>
    public FullDbResultBuilder AddPeriodicScheduler()
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, PeriodicSchedulerService>());
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
        Services.TryAddSingleton(sp => new RabbitMq.RabbitMqConnection(
            RabbitMq.RabbitMqConnection.ResolveUrl(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<FullDbResultOptions>>().Value.BrokerUrl), "fulldbresult-worker"));
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, TaskWorkerService>());
        return this;
    }
}
