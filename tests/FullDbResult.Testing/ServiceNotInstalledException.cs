namespace FullDbResult.Testing;

/// <summary>
/// A server or interpreter the tests need is not installed. The message is the command that installs
/// everything the fixtures use, so a failing test says how to fix the machine.
/// </summary>
public sealed class ServiceNotInstalledException(string missing) : Exception(InstallCommand)
{
    public const string InstallCommand = "apt-get install -y --no-install-recommends rabbitmq-server postgresql python3-celery";

    /// <summary>The file or module that was not found.</summary>
    public string Missing { get; } = missing;

    internal static void ThrowIfMissing(params string[] files)
    {
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new ServiceNotInstalledException(file);
            }
        }
    }
}
