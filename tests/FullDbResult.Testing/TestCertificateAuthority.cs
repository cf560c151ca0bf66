namespace FullDbResult.Testing;

/// <summary>
/// A certificate authority made by openssl for one test run, and a server certificate it signed for
/// localhost and 127.0.0.1. Nothing on the machine trusts it: a client must be told to.
/// </summary>
public sealed class TestCertificateAuthority
{
    private const string OpenSsl = "/usr/bin/openssl";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private TestCertificateAuthority(string directory)
    {
        CaCertificateFile = Path.Combine(directory, "ca.pem");
        ServerCertificateFile = Path.Combine(directory, "server.pem");
        ServerKeyFile = Path.Combine(directory, "server.key");
    }

    /// <summary>The authority's certificate (PEM), to trust.</summary>
    public string CaCertificateFile { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    public static TestCertificateAuthority Create(string directory)
    {
        ServiceNotInstalledException.ThrowIfMissing(OpenSsl);
        Directory.CreateDirectory(directory);
        var authority = new TestCertificateAuthority(directory);
        var (caKey, request, extensions) = (Path.Combine(directory, "ca.key"), Path.Combine(directory, "server.csr"), Path.Combine(directory, "server.ext"));
        File.WriteAllText(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
        Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey, "-out", authority.CaCertificateFile, "-days", "2",
            "-subj", "/CN=FullDbResult test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", authority.ServerKeyFile, "-out", request, "-subj", "/CN=localhost");
        Run("x509", "-req", "-in", request, "-CA", authority.CaCertificateFile, "-CAkey", caKey, "-CAcreateserial",
            "-out", authority.ServerCertificateFile, "-days", "2", "-extfile", extensions);
        return authority;
    }

    private static void Run(params string[] arguments) => ExternalCommand.RunChecked(OpenSsl, arguments, Timeout);
}
