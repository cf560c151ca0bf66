using Xunit.Abstractions;

namespace FullDbResult.RabbitMq.Tests.Faults;

/// <summary>What a fault run counted, printed to the test output so that a run's figures can be quoted.</summary>
/// <param name="Sent">Tasks the run sent (or scheduled rows it made due).</param>
/// <param name="Executed">Tasks that ran (or messages that reached the queue) at least once.</param>
/// <param name="Duplicated">Runs (or messages) beyond the first, per task.</param>
/// <param name="Lost">Tasks with neither an outcome nor a report by a stale query: must be 0.</param>
/// <param name="Reported">Tasks the stale queries report for an operator to act on.</param>
public sealed record FaultFigures(int Sent, int Executed, int Duplicated, int Lost, int Reported)
{
    public void Print(ITestOutputHelper output, string fault, string details) =>
        output.WriteLine($"{fault} (scale {FaultScale.Factor}): sent {Sent}, executed {Executed}, duplicated {Duplicated}, lost {Lost}, reported {Reported}; {details}");
}
