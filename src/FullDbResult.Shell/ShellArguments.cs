namespace FullDbResult.Shell;

/// <summary>The command line, in pwsh's words: <c>-File script.ps1 [args]</c> or <c>-Command text</c>, plus <c>-Module</c>.</summary>
public sealed record ShellArguments
{
    public const string Usage = """
        usage: FullDbResult.Shell [-Module <folder or .psd1>] -File <script.ps1> [<script arguments>...]
               FullDbResult.Shell [-Module <folder or .psd1>] -Command <command text>...

        Runs PowerShell with the FullDbResult module imported. The module is the one built beside the shell,
        unless -Module names another. Exit code: the script's exit code, 1 after a terminating error, else 0.
        """;

    public string? File { get; private init; }
    public IReadOnlyList<string> FileArguments { get; private init; } = [];
    public string? Command { get; private init; }
    public string? Module { get; private init; }
    public bool Help { get; private init; }

    /// <exception cref="ArgumentException">The command line does not say what to run.</exception>
    public static ShellArguments Parse(IReadOnlyList<string> args)
    {
        string? module = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i].ToLowerInvariant())
            {
                case "-module":
                    module = i + 1 < args.Count ? args[++i] : throw new ArgumentException("-Module needs a path.");
                    break;
                case "-file" or "-f":
                    if (i + 1 >= args.Count) throw new ArgumentException("-File needs a script path.");
                    return new ShellArguments { Module = module, File = args[i + 1], FileArguments = args.Skip(i + 2).ToArray() };
                case "-command" or "-c":
                    if (i + 1 >= args.Count) throw new ArgumentException("-Command needs a command.");
                    // Like pwsh, everything after -Command is the command.
                    return new ShellArguments { Module = module, Command = string.Join(' ', args.Skip(i + 1)) };
                case "-help" or "-h" or "-?" or "--help":
                    return new ShellArguments { Help = true };
                default:
                    if (args[i].StartsWith('-')) throw new ArgumentException($"Unknown option '{args[i]}'.");
                    // Like pwsh, a bare first argument is the script file.
                    return new ShellArguments { Module = module, File = args[i], FileArguments = args.Skip(i + 1).ToArray() };
            }
        }
        throw new ArgumentException("Give -File or -Command.");
    }
}
