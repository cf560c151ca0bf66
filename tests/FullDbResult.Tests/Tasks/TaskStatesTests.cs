using FullDbResult.Tasks;
using Xunit;

namespace FullDbResult.Tests.Tasks;

public class TaskStatesTests
{
    [Theory]
    [InlineData("success", "SUCCESS")]
    [InlineData(" Pending ", "PENDING")]
    [InlineData("scheduled_sent", "SCHEDULED_SENT")]
    [InlineData("Progress", "Progress")]
    [InlineData("PROGRESS", "PROGRESS")]
    public void Known_states_are_matched_whatever_their_case_and_custom_states_are_kept_exactly(string given, string stored) =>
        Assert.Equal(stored, TaskStates.Normalize(given));

    [Fact]
    public void What_a_caller_counts_as_finished_always_includes_revoked_and_scheduled_sent()
    {
        Assert.Equal(["SUCCESS", "REVOKED", "SCHEDULED_SENT"], TaskStates.TerminalForStale(["success", "SUCCESS"]));
        Assert.Equal(TaskStates.DefaultTerminal, TaskStates.TerminalForStale(null));
        Assert.True(TaskStates.IsTerminal("failure"));
    }
}
