namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Gets task records: by id (from the pipeline too), or by name pattern, status and time of the last change,
/// newest change first. A listing is streamed a page at a time, so the first tasks show at once however many
/// match.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TaskResult", DefaultParameterSetName = QuerySet)]
[OutputType(typeof(TaskRecord))]
public sealed class GetTaskResultCommand : StoreCmdlet
{
    private const string QuerySet = "Query";
    private const string IdSet = "Id";

    [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [TextArgument("TaskId")]
    public string[] TaskId { get; set; } = [];

    /// <summary>A task name, or a pattern with * and ? (see about_FullDbResult); the first position is a task id.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskNameCompleter))]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = QuerySet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TaskStateCompleter))]
    public string[]? Status { get; set; }

    /// <summary>Only tasks last changed at or after this time; a time without a zone is local.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public DateTime? Since { get; set; }

    /// <summary>Only tasks last changed before this time; a time without a zone is local.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public DateTime? Until { get; set; }

    [Parameter(ParameterSetName = QuerySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? First { get; set; }

    /// <summary>Only the members of this group or chord (Celery's group id).</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [ValidateNotNullOrEmpty]
    public string? GroupId { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            ForEachTaskId(TaskId, WriteTask);
            return;
        }
        var query = new TaskQuery
        {
            Name = Name,
            Statuses = Status,
            Since = Since?.ToUniversalTime(),
            Until = Until?.ToUniversalTime(),
            First = First,
            GroupId = GroupId,
        };
        foreach (var task in Stream(token => Store.QueryAsync(query, token), "Reading tasks")) WriteObject(task);
    }

    private void WriteTask(string id)
    {
        var task = Await(token => Store.GetAsync(id, token));
        if (task is null) WriteError(TaskErrors.NotFound(id));
        else WriteObject(task);
    }
}
