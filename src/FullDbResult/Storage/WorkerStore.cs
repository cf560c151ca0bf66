using Dapper;

namespace FullDbResult.Storage;

/// <summary>
/// The worker table: each worker's heartbeat, which tells a STARTED task whose worker still runs from one
/// whose worker has gone. Shares the task store's database, connections and schema.
/// </summary>
public sealed class WorkerStore
{
    internal const string Table = "fulldbresult_worker";

    private readonly StoreDatabase _database;

    public WorkerStore(TaskStore store) => _database = (store ?? throw new ArgumentNullException(nameof(store))).Database;

    /// <summary>Writes or refreshes a worker's heartbeat row.</summary>
    public async Task RecordHeartbeatAsync(WorkerHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        TaskValidation.ValidateTaskId(heartbeat.WorkerName, nameof(heartbeat.WorkerName));
        await using var connection = await _database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(_database.Command(_database.Dialect.UpsertHeartbeat,
            BindHeartbeat(_database.Parameters(), heartbeat).Parameters, cancellationToken: cancellationToken));
    }

    /// <summary>The parameters of <see cref="Dialects.SqlDialect.UpsertHeartbeat"/>.</summary>
    internal static SqlParameters BindHeartbeat(SqlParameters parameters, WorkerHeartbeat heartbeat) => parameters
        .Add("WorkerName", heartbeat.WorkerName).Add("Hostname", heartbeat.Hostname).Add("Pid", heartbeat.Pid)
        .Add("Queues", heartbeat.Queues).Add("StartedAt", heartbeat.StartedAt).Add("LastHeartbeat", heartbeat.LastHeartbeat)
        .Add("StoppedAt", heartbeat.StoppedAt);

    /// <summary>Every worker that has written a heartbeat, by name.</summary>
    public async Task<IReadOnlyList<WorkerHeartbeat>> GetWorkersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var workers = await connection.QueryAsync<WorkerHeartbeat>(_database.Command(
            $"""
            SELECT worker_name AS WorkerName, hostname AS Hostname, pid AS Pid, queues AS Queues, started_at AS StartedAt,
                   last_heartbeat AS LastHeartbeat, stopped_at AS StoppedAt
            FROM {Table} ORDER BY worker_name
            """, cancellationToken: cancellationToken));
        return workers.Select(w =>
        {
            w.StartedAt = UtcTimes.AsUtc(w.StartedAt);
            w.LastHeartbeat = UtcTimes.AsUtc(w.LastHeartbeat);
            w.StoppedAt = UtcTimes.AsUtc(w.StoppedAt);
            return w;
        }).ToList();
    }
}
