using System.Globalization;
using System.Management.Automation.Host;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// A headless PowerShell host that writes what PowerShell shows a person (formatted output, -WhatIf text,
/// warnings, errors) to two text writers.
/// </summary>
public sealed class TextHost : PSHost
{
    private readonly TextHostUserInterface _ui;

    public TextHost(TextWriter output, TextWriter error, int width = 120)
    {
        _ui = new TextHostUserInterface(output, error, width);
    }

    public override string Name => "FullDbResult.PowerShell.Tests";
    public override Version Version => typeof(TextHost).Assembly.GetName().Version ?? new Version(0, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override PSHostUserInterface UI => _ui;

    // Only an exit at the top level of a pipeline lands here; the tests read exit codes from real pwsh.
    public override void SetShouldExit(int exitCode) { }

    public override void EnterNestedPrompt() => throw NoInteraction("enter a nested prompt");
    public override void ExitNestedPrompt() => throw NoInteraction("exit a nested prompt");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    internal static NotSupportedException NoInteraction(string what) =>
        new($"This host is not interactive and cannot {what}. Pass every value as a parameter, and -Confirm:$false to commands that ask for confirmation.");
}
