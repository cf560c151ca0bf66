using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FullDbResult.Dashboard;

/// <summary>
/// Password hashes for configured dashboard users: PBKDF2 with SHA-256, a random salt and the iteration count
/// kept in the hash ("pbkdf2-sha256$iterations$salt$hash", base64), so configuration never holds a password.
/// </summary>
public static class DashboardPassword
{
    private const string Prefix = "pbkdf2-sha256";
    private const int Iterations = 210_000;

    public static string Hash(string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return string.Join('$', Prefix, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>; false for a malformed hash.</summary>
    public static bool Verify(string password, string hash)
    {
        var parts = (hash ?? "").Split('$');
        if (parts.Length != 4 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1) return false;
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password ?? ""), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
