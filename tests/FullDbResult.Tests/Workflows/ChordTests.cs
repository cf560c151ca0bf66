using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Publishing;
using FullDbResult.Storage;
using FullDbResult.Tasks;
using FullDbResult.Tests.Scheduling;
using FullDbResult.Tests.Storage;
using FullDbResult.Workflows;
using Xunit;

namespace FullDbResult.Tests.Workflows;

/// <summary>Chords counted in the store: the callback fires exactly once, after the last member, never after a failure.</summary>
public sealed class ChordTests
{
    [Fact]
    public async Task The_callback_fires_once_after_the_last_member_with_the_results_in_member_order_however_often_parts_are_reported()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        var producer = new RecordingPublisher();
        var (groupId, members, callbackId) = await new TaskClient(worker.Store, producer).SendChordAsync(
            [new TaskSignature("wf.add", "[1, 1]"), new TaskSignature("wf.add", "[2, 2]"), new TaskSignature("wf.add", "[3, 3]")],
            new TaskSignature("wf.sum"));

        var sent = producer.Sent.Select(s => s.Message).ToList();
        Assert.Equal([0, 1, 2], sent.Select(m => m.GroupIndex ?? -1));
        Assert.All(sent, m => Assert.Equal(groupId, m.GroupId));
        // Members finish last first; each one's report is a callback our worker runs.
        foreach (var member in Enumerable.Reverse(sent)) await worker.RunAsync(member);
        var parts = worker.Publisher.Sent.Select(s => s.Message).Where(m => m.Name == ChordParts.PartTask).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(parts, part => Assert.Equal(TaskStates.Pending, worker.Store.GetAsync(part.Id).Result?.Status));
        worker.Publisher.Sent.Clear();
        foreach (var part in parts.Append(parts[0]).Append(parts[2])) await worker.RunAsync(part with { Id = Guid.NewGuid().ToString() });

        var callback = Assert.Single(worker.Publisher.Sent).Message;
        Assert.Equal(("wf.sum", callbackId, "[[2, 4, 6]]"), (callback.Name, callback.Id, callback.Args));
        Assert.Equal(members[0], callback.ParentId);
        Assert.Equal(TaskStates.Pending, (await worker.Store.GetAsync(callbackId))?.Status);
        await worker.RunAsync(callback);
        Assert.Equal("12", (await worker.Store.GetAsync(callbackId))?.Result);
        Assert.All(members, id => Assert.Equal(groupId, worker.Store.GetAsync(id).Result?.GroupId));
    }

    [Fact]
    public async Task A_failed_member_fails_the_chord_its_callback_never_fires_and_the_callbacks_errback_is_sent()
    {
        await using var worker = await WorkflowEngine.StartAsync();
        var producer = new RecordingPublisher();
        var body = new TaskSignature("wf.sum") { LinkError = [new TaskSignature("wf.report")] };
        var (_, members, callbackId) = await new TaskClient(worker.Store, producer).SendChordAsync(
            [new TaskSignature("wf.fail", "[1]"), new TaskSignature("wf.add", "[2, 2]")], body);

        foreach (var member in producer.Sent.Select(s => s.Message)) await worker.RunAsync(member);
        var reports = worker.Publisher.Sent.Select(s => s.Message).ToList();
        Assert.Equal([ChordParts.ErrorTask, ChordParts.PartTask], reports.Select(m => m.Name).Order());
        worker.Publisher.Sent.Clear();
        foreach (var report in reports) await worker.RunAsync(report);

        var errback = Assert.Single(worker.Publisher.Sent).Message;
        Assert.Equal(("wf.report", $"[\"{callbackId}\"]"), (errback.Name, errback.Args));
        var callback = await worker.Store.GetAsync(callbackId);
        Assert.Equal(TaskStates.Failure, callback?.Status);
        Assert.Contains("ChordError", callback?.Result);
        Assert.Contains(members[0], callback?.Result);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public async Task Parts_reported_at_once_by_many_workers_fire_the_callback_exactly_once(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var chords = new ChordStore(store);
        const int size = 24;
        await chords.CreateAsync("g", size, """{"task": "wf.sum", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}""", "body", CancellationToken.None);

        // Every part twice, all at once, as redeliveries to several workers would report them.
        var reports = Enumerable.Range(0, size * 2).Select(i => Task.Run(() =>
            chords.CountAsync("g", i % size, $"m{i % size}", (i % size).ToString(), DateTimeOffset.UtcNow, CancellationToken.None)));
        var fired = (await Task.WhenAll(reports)).OfType<TaskMessage>().ToList();

        var callback = Assert.Single(fired);
        using var args = JsonDocument.Parse(callback.Args);
        Assert.Equal(Enumerable.Range(0, size), args.RootElement[0].EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(TaskStates.Pending, (await store.GetAsync("body"))?.Status);
    }
}
