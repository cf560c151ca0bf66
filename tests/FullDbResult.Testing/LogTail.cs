namespace FullDbResult.Testing;

/// <summary>The last lines of a server's log files, for the message of a failed start.</summary>
internal static class LogTail
{
    public static string Of(params string[] files) =>
        string.Concat(files.Select(file => File.Exists(file)
            ? $"\n--- last lines of {file} ---\n{string.Join('\n', File.ReadLines(file).TakeLast(40))}"
            : $"\n--- {file} does not exist ---"));
}
