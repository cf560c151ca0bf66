using System.Globalization;
using System.Management.Automation.Host;

namespace FullDbResult.Shell;

/// <summary>
/// A headless PowerShell host that writes what PowerShell shows a person (formatted output, -WhatIf text,
/// warnings, errors) to two text writers. The shell gives it the console; tests give it string writers.
/// </summary>
public sealed class TextHost : PSHost
{
    private readonly TextHostUserInterface _ui;

    /// <param name="ansi">Whether the writers go to a terminal that understands colour sequences.</param>
    public TextHost(TextWriter output, TextWriter error, int width = 120, bool ansi = false)
    {
        _ui = new TextHostUserInterface(output, error, width, ansi);
    }

    public override string Name => "FullDbResult.Shell";
    public override Version Version => typeof(TextHost).Assembly.GetName().Version ?? new Version(0, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override PSHostUserInterface UI => _ui;

    // Only an exit at the top level of a pipeline lands here. The shell runs everything as a script file,
    // where exit ends the script and sets $LASTEXITCODE instead.
    public override void SetShouldExit(int exitCode) { }

    public override void EnterNestedPrompt() => throw NoInteraction("enter a nested prompt");
    public override void ExitNestedPrompt() => throw NoInteraction("exit a nested prompt");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    internal static NotSupportedException NoInteraction(string what) =>
        new($"This host is not interactive and cannot {what}. Pass every value as a parameter, and -Confirm:$false to commands that ask for confirmation.");
}
