using System.Reflection;
using FullDbResult.Diagnostics;

namespace FullDbResult.PowerShell;

/// <summary>
/// The cmdlets' ILogger: library services log into a <see cref="LogQueue"/> from any thread, and
/// <see cref="WriteTo"/> shows the messages on the pipeline thread, the only one PowerShell takes them from:
/// warnings and errors as warnings, information as verbose lines, debug as debug lines.
/// </summary>
internal sealed class PipelineLog
{
    private readonly LogQueue _queue = new();

    /// <summary>Writes every message logged so far; call it on the pipeline thread.</summary>
    public void WriteTo(Cmdlet cmdlet)
    {
        while (_queue.TryTake(out var entry))
        {
            switch (entry.Severity)
            {
                case LogQueueSeverity.Debug:
                    cmdlet.WriteDebug(entry.Message);
                    break;
                case LogQueueSeverity.Information:
                    cmdlet.WriteVerbose(entry.Message);
                    break;
                default:
                    cmdlet.WriteWarning(entry.Message);
                    break;
            }
        }
    }

    /// <summary>
    /// A library service of type <typeparamref name="T"/> built with <paramref name="arguments"/> and, last, an
    /// ILogger&lt;T&gt; that logs here.
    /// </summary>
    // By reflection: a call that names ILogger<T> would make PowerShell's default load context load
    // Microsoft.Extensions.Logging.Abstractions, which lives only in the module's own context (see
    // DependencyLoadContext). Reflection binds inside the module's context, where the library's ILogger is.
    public T Create<T>(params object[] arguments) where T : class
    {
        var constructor = typeof(T).GetConstructors().Single(c =>
        {
            var parameters = c.GetParameters();
            return parameters.Length == arguments.Length + 1 && parameters[^1].ParameterType.Name is "ILogger`1" or "ILogger";
        });
        var loggerInterface = constructor.GetParameters()[^1].ParameterType;
        var loggerType = loggerInterface.Assembly.GetType("Microsoft.Extensions.Logging.Logger`1", throwOnError: true)!
            .MakeGenericType(typeof(T));
        var logger = Activator.CreateInstance(loggerType, _queue)!;
        try
        {
            return (T)constructor.Invoke([.. arguments, logger]);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw; // not reached
        }
    }
}
