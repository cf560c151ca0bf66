using System.Text.Json;
using FullDbResult.Protocol;
using FullDbResult.Tasks;
using FullDbResult.Worker;
using Xunit;

namespace FullDbResult.Tests.Workflows;

/// <summary>The timelimit header [hard, soft] and the handler's defaults: what a task that runs too long ends as.</summary>
public sealed class TimeLimitTests
{
    [Fact]
    public async Task A_handler_that_ignores_its_token_fails_at_the_hard_limit_and_its_message_is_acked()
    {
        using var release = new ManualResetEventSlim();
        await using var worker = await WorkflowEngine.StartAsync(register: e => e.Register("wf.stuck", () =>
        {
            release.Wait(TimeSpan.FromSeconds(30));
            return 1;
        }));
        var message = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.stuck", TimeLimitHard = 0.5 };

        var settled = await worker.RunAsync(message);
        release.Set();

        Assert.Equal(("ack", TaskStates.Failure), (settled.Action, settled.RowAtSettle?.Status));
        Assert.Equal("TimeLimitExceeded", ExcType(settled.RowAtSettle!));
        Assert.Equal(0, worker.Engine.Running);
    }

    [Fact]
    public async Task The_soft_limit_cancels_the_token_and_a_handler_that_stops_fails_with_SoftTimeLimitExceeded()
    {
        await using var worker = await WorkflowEngine.StartAsync(register: e => e.Register("wf.patient", async (CancellationToken token) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), token);
            return 1;
        }));
        var message = new TaskMessage { Id = Guid.NewGuid().ToString(), Name = "wf.patient", TimeLimitHard = 30, TimeLimitSoft = 0.3 };

        var settled = await worker.RunAsync(message);

        Assert.Equal(("ack", "SoftTimeLimitExceeded"), (settled.Action, ExcType(settled.RowAtSettle!)));
    }

    [Fact]
    public void The_header_wins_over_the_handler_defaults_and_no_hard_limit_passes_the_workers_cap()
    {
        var handler = new TaskHandlerOptions { TimeLimit = TimeSpan.FromMinutes(5), SoftTimeLimit = TimeSpan.FromMinutes(1) };
        var worker = new WorkerOptions { MaxTaskTime = TimeSpan.FromMinutes(10) };
        var plain = new TaskMessage { Id = "a", Name = "wf.x" };

        Assert.Equal(new TimeLimits(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), TimeLimits.For(plain, handler, worker));
        Assert.Equal(new TimeLimits(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20)), TimeLimits.For(plain with { TimeLimitHard = 30, TimeLimitSoft = 20 }, handler, worker));
        Assert.Equal(new TimeLimits(TimeSpan.FromMinutes(10), null), TimeLimits.For(plain with { TimeLimitHard = 3600 }, new TaskHandlerOptions(), worker));
        Assert.Equal(new TimeLimits(TimeSpan.FromMinutes(10), null), TimeLimits.For(plain, new TaskHandlerOptions(), worker));
    }

    private static string? ExcType(TaskRecord row) => JsonDocument.Parse(row.Result!).RootElement.GetProperty("exc_type").GetString();
}
