using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace FullDbResult.PowerShell;

/// <summary>
/// The base of cmdlets that work on the task store: the store parameters of <see cref="StoreConnectionCmdlet"/>
/// and -Session, the store they resolve to (see <see cref="StoreResolver"/>), the library's log shown on the
/// pipeline, and cancellation on Ctrl+C. Only a cmdlet that changes state (one that supports -WhatIf) may
/// create the store's schema; any other finds a missing store an error, never creates one.
/// </summary>
public abstract class StoreCmdlet : StoreConnectionCmdlet
{
    private ResolvedStore? _resolved;
    private TaskStore? _store;
    private PeriodicTaskStore? _periodicTasks;

    /// <summary>A session from Connect-FullDbResult, instead of the current one.</summary>
    [Parameter(ValueFromPipeline = true)]
    public FullDbResultSession? Session { get; set; }

    /// <summary>The task store, resolved on first use.</summary>
    protected TaskStore Store => _store ??= OpenStore();

    /// <summary>The periodic task definitions in <see cref="Store"/>.</summary>
    protected PeriodicTaskStore PeriodicTasks => _periodicTasks ??= new PeriodicTaskStore(Store);

    private protected ResolvedStore Resolved => _resolved ??= ResolveStore();

    /// <summary>
    /// Whether this command may create or upgrade the store's schema (and, for SQLite, its file): only commands
    /// that change state, which are the ones that support -WhatIf. A read-only command pointed at a mistyped
    /// database must say that there is no store there, not make one and report it healthy.
    /// </summary>
    protected virtual bool MayCreateSchema => GetType().GetCustomAttribute<CmdletAttribute>()?.SupportsShouldProcess == true;

    /// <summary>Where library services log (pass it to them with <see cref="PipelineLog.Create{T}"/>); shown on the pipeline thread.</summary>
    private protected PipelineLog Log { get; } = new();

    /// <summary>
    /// Runs a store call to completion on the pipeline thread; Ctrl+C cancels it. A failure becomes a
    /// terminating error record: the store is the same for every input, so the next one would fail too.
    /// </summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> call)
    {
        try
        {
            return call(StopToken).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is TaskStoreException or OperationCanceledException or DbException)
        {
            ThrowTerminatingError(StoreErrors.FromStore(exception, Resolved.Connection));
            throw; // not reached: ThrowTerminatingError throws
        }
        finally
        {
            Log.WriteTo(this);
        }
    }

    /// <summary>
    /// Runs <paramref name="process"/> for each task id given: an id the store refuses is that id's error
    /// record, and the pipeline goes on with the next one.
    /// </summary>
    protected void ForEachTaskId(IEnumerable<string> taskIds, Action<string> process)
    {
        foreach (var id in taskIds)
        {
            try
            {
                process(id);
            }
            catch (ArgumentException exception)
            {
                WriteError(TaskErrors.InvalidId(exception, id));
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="process"/> for each periodic task name the user confirms <paramref name="action"/>
    /// on (-WhatIf, -Confirm); a name declined is skipped and the pipeline goes on.
    /// </summary>
    protected void ForEachConfirmedName(IEnumerable<string> names, string action, Action<string> process)
    {
        foreach (var name in names)
        {
            if (ShouldProcess(name, action)) process(name);
        }
    }

    /// <summary>
    /// Enumerates a streaming store query on the pipeline thread, so each row can be written as it arrives
    /// and the first page shows before the last is read. With an <paramref name="activity"/>, shows the
    /// running count with Write-Progress on long scans. Failures and Ctrl+C end it as <see cref="Await"/> does.
    /// </summary>
    protected IEnumerable<T> Stream<T>(Func<CancellationToken, IAsyncEnumerable<T>> query, string? activity = null)
    {
        const int progressEvery = 1000;
        long read = 0;
        var rows = query(StopToken).GetAsyncEnumerator(StopToken);
        try
        {
            while (Await(_ => rows.MoveNextAsync().AsTask()))
            {
                yield return rows.Current;
                if (activity is not null && ++read % progressEvery == 0)
                    WriteProgress(new ProgressRecord(0, activity, $"{read} read"));
            }
        }
        finally
        {
            rows.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        if (activity is not null && read >= progressEvery)
            WriteProgress(new ProgressRecord(0, activity, $"{read} read") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>
    /// Runs a long store call that reports a running count, showing the count with Write-Progress while it
    /// runs.
    /// </summary>
    protected long AwaitCounting(string activity, Func<IProgress<long>, CancellationToken, Task<long>> call) =>
        AwaitReporting(activity, call, count => $"{count} so far", total => $"{total} done");

    /// <summary>
    /// Runs a long library call that reports its state, showing it with Write-Progress while it runs. The
    /// library reports from other threads and PowerShell takes progress only from the pipeline thread, so
    /// this thread polls the latest report.
    /// </summary>
    protected TResult AwaitReporting<TReport, TResult>(string activity, Func<IProgress<TReport>, CancellationToken, Task<TResult>> call,
        Func<TReport?, string> describeReport, Func<TResult, string> describeResult)
    {
        var latest = new LatestReport<TReport>();
        var running = call(latest, StopToken);
        while (!((IAsyncResult)running).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(250)))
        {
            Log.WriteTo(this);
            WriteProgress(new ProgressRecord(0, activity, describeReport(latest.Value)));
        }
        var result = Await(_ => running);
        WriteProgress(new ProgressRecord(0, activity, describeResult(result)) { RecordType = ProgressRecordType.Completed });
        return result;
    }

    private sealed class LatestReport<T> : IProgress<T>
    {
        private volatile StrongBox<T>? _value;
        public T? Value => _value is { } box ? box.Value : default;
        public void Report(T value) => _value = new StrongBox<T>(value);
    }

    private ResolvedStore ResolveStore()
    {
        try
        {
            var resolved = StoreResolver.Resolve(ConnectionString, Provider, Credential, Session, CurrentSession.Get());
            WriteVerbose(resolved.Describe());
            return resolved;
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(StoreErrors.InvalidConnection(exception, StoreResolver.SourceOf(ConnectionString, Provider)));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    private TaskStore OpenStore()
    {
        try
        {
            return new TaskStore(Resolved.Connection, new TaskStoreOptions { AutoMigrate = MayCreateSchema });
        }
        catch (ArgumentException exception)
        {
            ThrowTerminatingError(StoreErrors.InvalidConnection(exception, Resolved.Source));
            throw; // not reached: ThrowTerminatingError throws
        }
    }
}
