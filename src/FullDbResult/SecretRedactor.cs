using System.Data.Common;

namespace FullDbResult;

/// <summary>
/// The one place that turns a connection string or a URL into text safe for output, errors and logs. It
/// never needs the input to be valid: a password with / @ : ; or quotes in it, which breaks parsing, is
/// exactly the case where a parser-based redactor would echo the whole string.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Shown instead of a connection string that cannot be parsed, since any part of it may be a secret.</summary>
    public const string UnparseableConnectionString = "(unparseable connection string)";

    /// <summary>
    /// A URL with its password (everything between the user name's colon and the host's @) replaced by ***.
    /// The user information ends at the last @ before the end, so an @ or / in the password is masked too; an
    /// @ in the path costs some of the path, which is the safe side.
    /// </summary>
    public static string RedactUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var authority = scheme < 0 ? 0 : scheme + 3;
        var at = url.LastIndexOf('@');
        if (at < authority) return url;
        // Without a scheme nothing tells the user from the password: hide both.
        if (scheme < 0) return Mask + url[at..];
        var colon = url.IndexOf(':', authority, at - authority);
        return colon < 0 ? url : url[..(colon + 1)] + Mask + url[at..];
    }

    /// <summary>
    /// A connection string with the value of every key that names a secret (Password, PWD, SSL Password,
    /// Client Certificate Key Password, any key with "password", "pwd" or "secret" in it) replaced by ***.
    /// </summary>
    public static string RedactConnectionString(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        DbConnectionStringBuilder builder;
        try
        {
            builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            return UnparseableConnectionString;
        }
        foreach (var key in builder.Keys.Cast<string>().Where(IsSecretKey).ToList())
            builder[key] = Mask;
        return builder.ConnectionString;
    }

    /// <summary>Whether a connection-string key holds a secret, in any provider's spelling.</summary>
    public static bool IsSecretKey(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("pwd", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase);
}
