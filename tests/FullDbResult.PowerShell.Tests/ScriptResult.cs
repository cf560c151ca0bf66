using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Everything one run of a script produced: its streams, the text it showed the host, and how it ended.</summary>
public sealed record ScriptResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose,
    IReadOnlyList<InformationRecord> Information,
    string HostText,
    string HostErrorText,
    ErrorRecord? TerminatingError)
{
    /// <summary>The output's base objects of one type (nulls left out), for assertions on .NET types.</summary>
    public IEnumerable<T> OutputOf<T>() => Output.Where(o => o is not null).Select(o => o.BaseObject).OfType<T>();

    /// <summary>
    /// The error that stopped the script, else the first one written. A cmdlet's terminating error stops only
    /// its own statement, so in a script it comes back in <see cref="Errors"/>.
    /// </summary>
    public ErrorRecord? FirstError => TerminatingError ?? Errors.FirstOrDefault();

    /// <summary>Fails with PowerShell's own words when the script wrote an error or stopped on one.</summary>
    public ScriptResult AssertSucceeded()
    {
        var errors = Errors.Select(e => e.ToString()).ToList();
        if (TerminatingError is not null) errors.Insert(0, "terminating: " + TerminatingError);
        Xunit.Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        return this;
    }
}
