using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.Tasks;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Workflows;

/// <summary>Celery's autoretry_for, max_retries, retry_backoff, retry_backoff_max, retry_jitter and default_retry_delay.</summary>
public sealed class AutoRetryTests
{
    private static readonly TaskHandlerOptions RetryOnKeyNotFound = new()
    {
        AutoRetryFor = [typeof(KeyNotFoundException)],
        MaxRetries = 2,
        RetryBackoff = TimeSpan.FromSeconds(2),
        RetryBackoffMax = TimeSpan.FromSeconds(5),
        RetryJitter = false,
    };

    [Fact]
    public void The_back_off_doubles_from_its_factor_up_to_its_cap_and_jitter_stays_under_it()
    {
        Assert.Equal([2, 4, 5, 5], Enumerable.Range(0, 4).Select(n => AutoRetry.Delay(RetryOnKeyNotFound, n, Random.Shared).TotalSeconds));
        var jittered = RetryOnKeyNotFound with { RetryJitter = true };
        Assert.All(Enumerable.Range(0, 200), _ => Assert.InRange(AutoRetry.Delay(jittered, 1, Random.Shared).TotalSeconds, 0, 4));
        Assert.Equal(TimeSpan.FromSeconds(180), AutoRetry.Delay(new TaskHandlerOptions(), 5, Random.Shared));
    }

    [Fact]
    public async Task A_named_exception_records_RETRY_with_it_and_sends_the_next_attempt_with_retries_plus_one_and_the_same_lineage()
    {
        await using var worker = await WorkflowEngine.StartAsync(register: e => e.Register("wf.lookup", (string key) => Lookup(key), RetryOnKeyNotFound));
        var message = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.lookup", Args = """["missing"]""", RootId = "root", ParentId = "parent" };

        var settled = await worker.RunAsync(message);

        Assert.Equal("ack", settled.Action);
        var row = await worker.Store.GetAsync(message.Id);
        Assert.Equal(TaskStates.Retry, row?.Status);
        Assert.Contains("KeyNotFoundException: no missing", row?.Result);
        var again = Assert.Single(worker.Publisher.Sent).Message;
        Assert.Equal((message.Id, 1, "root", "parent"), (again.Id, again.Retries, again.RootId, again.ParentId));
        Assert.InRange(again.Eta!.Value, DateTimeOffset.UtcNow.AddSeconds(1), DateTimeOffset.UtcNow.AddSeconds(3));
    }

    [Fact]
    public async Task The_last_retry_ends_in_FAILURE_retries_exhausted_with_the_exception_and_sends_the_errbacks()
    {
        await using var worker = await WorkflowEngine.StartAsync(register: e => e.Register("wf.lookup", (string key) => Lookup(key), RetryOnKeyNotFound));
        var errback = """[{"task": "wf.report", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}]""";
        var message = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.lookup", Args = """["missing"]""", Retries = 2, Errbacks = errback };

        var settled = await worker.RunAsync(message);

        Assert.Equal(TaskStates.Failure, settled.RowAtSettle?.Status);
        using var result = JsonDocument.Parse(settled.RowAtSettle!.Result!);
        Assert.Equal("KeyNotFoundException", result.RootElement.GetProperty("exc_type").GetString());
        Assert.Equal("Retries exhausted (2 of 2): no missing", result.RootElement.GetProperty("exc_message").GetString());
        Assert.Equal(("wf.report", $"[\"{message.Id}\"]"), (Assert.Single(worker.Publisher.Sent).Message.Name, worker.Publisher.Sent.Single().Message.Args));
    }

    [Fact]
    public async Task An_exception_not_named_fails_at_once()
    {
        await using var worker = await WorkflowEngine.StartAsync(register: e => e.Register("wf.lookup", new Func<string, string>(_ => throw new FormatException("bad")), RetryOnKeyNotFound));

        var settled = await worker.RunAsync(new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.lookup", Args = """["x"]""" });

        Assert.Equal(TaskStates.Failure, settled.RowAtSettle?.Status);
        Assert.Contains("FormatException", settled.RowAtSettle?.Result);
        Assert.Empty(worker.Publisher.Sent);
    }

    [Fact]
    public async Task A_delayed_retry_becomes_a_SCHEDULED_row_that_the_dispatcher_resends_with_its_callbacks()
    {
        await using var worker = await WorkflowEngine.StartAsync(new WorkerOptions { ScheduleDelayedTasks = true },
            e => e.Register("wf.lookup", (string key) => Lookup(key), RetryOnKeyNotFound));
        var callback = """[{"task": "wf.add", "args": [1], "kwargs": {}, "options": {"queue": "next"}, "subtask_type": null, "immutable": false}]""";
        var message = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.lookup", Args = """["missing"]""", Callbacks = callback, RootId = "root" };

        await worker.RunAsync(message);

        var row = await worker.Store.GetAsync(message.Id);
        Assert.Equal((TaskStates.Scheduled, 1), (row?.Status, row?.Retries));
        Assert.Empty(worker.Publisher.Sent);
        // What the dispatcher sends for the row: a new id, the same task's next attempt, its callback kept.
        var resend = TaskMessages.ToMessage(TaskMessages.Resend(row!, "next-attempt"));
        Assert.Equal(("next-attempt", 1, "root"), (resend.Id, resend.Retries, resend.RootId));
        Assert.Equal("""[{"task": "wf.add", "args": [1], "kwargs": {}, "options": {"queue": "next"}, "subtask_type": null, "immutable": false}]""", resend.Callbacks);
    }

    private static string Lookup(string key) => throw new KeyNotFoundException($"no {key}");
}
