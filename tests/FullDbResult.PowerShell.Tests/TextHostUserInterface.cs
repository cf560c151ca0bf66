using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Internal;
using System.Security;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Writes host text; errors and warnings go to the error writer, as pwsh sends them to stderr.</summary>
internal sealed class TextHostUserInterface : PSHostUserInterface
{
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    public TextHostUserInterface(TextWriter output, TextWriter error, int width)
    {
        _output = output;
        _error = error;
        RawUI = new TextHostRawUserInterface(width);
    }

    public override PSHostRawUserInterface RawUI { get; }
    public override bool SupportsVirtualTerminal => false;

    public override void Write(string value) => _output.Write(Render(value));
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => _output.Write(Render(value));
    public override void WriteLine(string value) => _output.WriteLine(Render(value));
    public override void WriteErrorLine(string value) => _error.WriteLine(Render(value));
    public override void WriteWarningLine(string message) => _error.WriteLine("WARNING: " + Render(message));
    public override void WriteVerboseLine(string message) => _output.WriteLine("VERBOSE: " + Render(message));
    public override void WriteDebugLine(string message) => _output.WriteLine("DEBUG: " + Render(message));

    // Formatting decorates list labels and table headers whatever $PSStyle.OutputRendering says; only
    // PowerShell's own console host strips the sequences, so a text host must do it too.
    private static string Render(string value) => new StringDecorated(value).ToString(OutputRendering.PlainText);

    // Progress bars make no sense in a log or a captured string.
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    public override string ReadLine() => throw TextHost.NoInteraction("read input");
    public override SecureString ReadLineAsSecureString() => throw TextHost.NoInteraction("read input");

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw TextHost.NoInteraction("prompt for " + string.Join(", ", descriptions.Select(d => d.Name)));

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw TextHost.NoInteraction("prompt for a credential");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw TextHost.NoInteraction("prompt for a credential");

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw TextHost.NoInteraction($"ask \"{message}\"");
}
