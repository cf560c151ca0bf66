using System.Text.RegularExpressions;

namespace FullDbResult.PowerShell;

/// <summary>
/// The task-name rule (about_FullDbResult) for names matched in memory, such as periodic task names:
/// case-sensitive, * any run of characters, ? one character, every other character literal. The store
/// applies the same rule in SQL (SqlDialect.NamePattern).
/// </summary>
internal static class NamePattern
{
    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?']) >= 0;

    public static Regex ToRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$",
            RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
