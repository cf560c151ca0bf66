using System.Text;
using FullDbResult.Events;
using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Events;

/// <summary>Reading the event messages Celery 5.2 really sends, and refusing what is not one.</summary>
public class CeleryEventParserTests
{
    [Fact]
    public void Every_captured_message_reads_as_events_and_task_multi_messages_hold_lists()
    {
        var types = new List<string>();
        foreach (var message in CapturedEvents.All)
        {
            var (events, refused) = CeleryEventParser.Parse(message.Body, message.ContentType);
            Assert.Empty(refused);
            Assert.NotEmpty(events);
            if (message.RoutingKey != "task.multi") Assert.Equal(message.RoutingKey, Assert.Single(events).Type.Replace('-', '.'));
            types.AddRange(events.Select(e => e.Type));
        }
        Assert.Contains(CapturedEvents.All, m => m.RoutingKey == "task.multi" && CeleryEventParser.Parse(m.Body, m.ContentType).Events.Count > 1);
        Assert.Equal(
            ["task-failed", "task-received", "task-retried", "task-sent", "task-started", "task-succeeded", "worker-heartbeat", "worker-offline", "worker-online"],
            types.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_captured_task_received_event_maps_to_received_with_name_repr_args_worker_and_no_json()
    {
        var change = Changes().First(c => c.TaskId == "cap-add-bad" && c.Status == TaskStates.Received);
        Assert.Equal(("cap.add", "[1]", @"{'y': 'héllo \'q\''}", "cap@h13m", 0),
            (change.TaskName, change.ArgsRepr, change.KwargsRepr, change.Worker, change.Retries));
        Assert.Null(change.DateStarted);
    }

    [Fact]
    public void Captured_outcome_events_carry_the_result_or_exception_repr_the_traceback_and_the_done_time()
    {
        var changes = Changes();
        var succeeded = changes.First(c => c.TaskId == "cap-add-1" && c.Status == TaskStates.Success);
        Assert.Equal("5", succeeded.ResultRepr);
        Assert.Equal(new DateTime(2026, 11, 29, 21, 59, 8, DateTimeKind.Utc), succeeded.DateDone!.Value.AddTicks(-(succeeded.DateDone.Value.Ticks % TimeSpan.TicksPerSecond)));
        var failed = changes.First(c => c.TaskId == "cap-fail-1" && c.Status == TaskStates.Failure);
        Assert.Equal("ValueError('boom')", failed.ResultRepr);
        Assert.StartsWith("Traceback (most recent call last):", failed.Traceback);
        Assert.Equal(DateTimeKind.Utc, failed.DateDone!.Value.Kind);
    }

    [Fact]
    public void A_captured_task_sent_event_names_the_route_and_no_worker_since_its_hostname_is_the_producers()
    {
        var sent = Changes().First(c => c.TaskId == "cap-retry-1" && c.Status == TaskStates.Pending && c.Retries == 1);
        Assert.Equal(("capq", "", "capq", null, "cap-retry-1"), (sent.Queue, sent.Exchange, sent.RoutingKey, sent.Worker, sent.ParentId));
        Assert.NotNull(sent.Eta);
        Assert.NotNull(sent.SentAt);
    }

    [Fact]
    public void Captured_worker_events_map_to_worker_rows_named_by_the_celery_node_name()
    {
        var events = CapturedEvents.All.SelectMany(m => CeleryEventParser.Parse(m.Body, m.ContentType).Events).ToList();
        var offline = events.Where(e => e.Type == "worker-offline").Select(CeleryEventMapping.ToWorkerHeartbeat).Last()!;
        Assert.Equal(("cap@h13m", "h13m", 6873), (offline.WorkerName, offline.Hostname, offline.Pid));
        Assert.Equal(offline.LastHeartbeat, offline.StoppedAt);
        var heartbeat = events.Where(e => e.Type == "worker-heartbeat").Select(CeleryEventMapping.ToWorkerHeartbeat).First()!;
        Assert.Null(heartbeat.StoppedAt);
    }

    [Theory]
    [InlineData("not json", null, "not JSON")]
    [InlineData("42", null, "not an event object")]
    [InlineData("""{"type": "task-started"}""", null, "\"uuid\"")]
    [InlineData("""{"type": "task-received", "uuid": "a", "retries": "x"}""", null, "\"retries\"")]
    [InlineData("""{"type": "task-succeeded", "uuid": "a", "timestamp": "noon"}""", null, "\"timestamp\"")]
    [InlineData("""{"type": "task-sent", "uuid": "a", "eta": "tomorrow"}""", null, "\"eta\"")]
    [InlineData("""{"type": "worker-heartbeat", "hostname": "w@h"}""", null, "\"timestamp\"")]
    [InlineData("""{"uuid": "a"}""", null, "no \"type\"")]
    [InlineData("""[{"type": "task-started", "uuid": "a"}, 7]""", null, "element 1")]
    [InlineData("""{"type": "task-started", "uuid": "a"}""", "application/x-python-serialize", "only JSON")]
    public void A_malformed_message_or_event_is_refused_with_its_reason(string body, string? contentType, string reason)
    {
        var refusals = new List<string>();
        try
        {
            var (events, refused) = CeleryEventParser.Parse(Encoding.UTF8.GetBytes(body), contentType);
            refusals.AddRange(refused);
            foreach (var e in events)
            {
                try
                {
                    _ = CeleryEventMapping.ToTaskChange(e) ?? (object?)CeleryEventMapping.ToWorkerHeartbeat(e);
                }
                catch (FormatException ex)
                {
                    refusals.Add(ex.Message);
                }
            }
        }
        catch (FormatException ex)
        {
            refusals.Add(ex.Message);
        }
        Assert.Contains(refusals, r => r.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Events_the_store_has_no_use_for_map_to_nothing()
    {
        var (events, _) = CeleryEventParser.Parse("""[{"type": "task-progress", "uuid": "a"}, {"type": "worker-custom", "hostname": "w"}, {"type": "other"}]"""u8.ToArray(), "application/json");
        Assert.All(events, e => Assert.Null(CeleryEventMapping.ToTaskChange(e)));
        Assert.All(events, e => Assert.Null(CeleryEventMapping.ToWorkerHeartbeat(e)));
    }

    private static List<TaskEventChange> Changes() => CapturedEvents.All
        .SelectMany(m => CeleryEventParser.Parse(m.Body, m.ContentType).Events)
        .Select(CeleryEventMapping.ToTaskChange).OfType<TaskEventChange>().ToList();
}
