using System.Collections.Concurrent;

namespace FullDbResult.Diagnostics;

/// <summary>
/// A logger factory that keeps what the library logs, from any thread, until its host takes it on the one
/// thread that may show it (PowerShell writes warnings and verbose lines only from the pipeline thread).
/// Its entries carry no Microsoft.Extensions.Logging types, so that a host which cannot load that assembly
/// (the PowerShell cmdlets, outside the module's load context) can still read them.
/// </summary>
public sealed class LogQueue : ILoggerFactory
{
    private readonly ConcurrentQueue<LogQueueEntry> _entries = new();

    public ILogger CreateLogger(string categoryName) => new QueueLogger(this, categoryName);

    /// <summary>The entry logged longest ago, if any is left.</summary>
    public bool TryTake(out LogQueueEntry entry) => _entries.TryDequeue(out entry!);

    /// <summary>The queue is the only sink: a provider added here would never be read.</summary>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("A LogQueue keeps its entries for its host; it does not forward them to providers.");

    public void Dispose() => _entries.Clear();

    private sealed class QueueLogger(LogQueue queue, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            if (exception is not null) message += $" ({exception.GetType().Name}: {exception.Message})";
            var severity = logLevel switch
            {
                LogLevel.Trace or LogLevel.Debug => LogQueueSeverity.Debug,
                LogLevel.Information => LogQueueSeverity.Information,
                LogLevel.Warning => LogQueueSeverity.Warning,
                _ => LogQueueSeverity.Error,
            };
            queue._entries.Enqueue(new LogQueueEntry(severity, category, message));
        }
    }
}

/// <summary>One message the library logged.</summary>
public sealed record LogQueueEntry(LogQueueSeverity Severity, string Category, string Message);

public enum LogQueueSeverity
{
    Debug,
    Information,
    Warning,
    Error,
}
