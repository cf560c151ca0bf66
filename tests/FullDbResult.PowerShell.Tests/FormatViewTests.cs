namespace FullDbResult.PowerShell.Tests;

/// <summary>The views in FullDbResult.Format.ps1xml, applied to the library's own task record.</summary>
public sealed class FormatViewTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public FormatViewTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void The_task_table_fits_120_columns_with_long_names_and_workers()
    {
        var result = _host.Run("$tasks | Out-Host", new Dictionary<string, object?> { ["tasks"] = new[] { NewTask(), NewTask() } })
            .AssertSucceeded();

        var lines = result.HostText.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TaskId", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
        Assert.Contains("SCHEDULED_SENT", lines[2]);
        Assert.Contains("2026-11-25 18:00", lines[2]);
    }

    [Fact]
    public void The_task_list_shows_the_arguments_and_the_lineage()
    {
        var result = _host.Run("$task | Format-List | Out-Host", new Dictionary<string, object?> { ["task"] = NewTask() })
            .AssertSucceeded();

        Assert.Contains("Kwargs        : {\"to\": \"ops@example.com\"}", result.HostText);
        Assert.Contains("RootId        : root-1", result.HostText);
    }

    private static object NewTask()
    {
        dynamic task = Activator.CreateInstance(ModuleHost.EngineType("FullDbResult.Tasks.TaskRecord"))!;
        task.TaskId = Guid.NewGuid().ToString();
        task.TaskName = "notifications.email.send_welcome_message";
        task.Status = "SCHEDULED_SENT";
        task.Kwargs = "{\"to\": \"ops@example.com\"}";
        task.DateSubmitted = new DateTime(2026, 11, 25, 18, 0, 0, DateTimeKind.Utc);
        task.DateDone = new DateTime(2026, 11, 25, 18, 5, 0, DateTimeKind.Utc);
        task.Worker = "celery@worker-host-0001.example.com";
        task.RootId = "root-1";
        return task;
    }
}
