using FullDbResult.Testing;
using Xunit;

namespace FullDbResult.Tests.Fixtures;

public class MissingServiceTests
{
    private const string NoSuchDirectory = "/nonexistent/fulldbresult/bin";

    [Fact]
    public void MissingPostgresBinariesFailWithTheInstallCommand()
    {
        var error = Assert.Throws<ServiceNotInstalledException>(() => PostgresServer.StartPrivate(NoSuchDirectory));

        Assert.Equal("apt-get install -y --no-install-recommends rabbitmq-server postgresql python3-celery", error.Message);
    }

    [Fact]
    public void MissingRabbitMqBinariesFailWithTheInstallCommand()
    {
        var error = Assert.Throws<ServiceNotInstalledException>(() => RabbitMqServer.StartPrivate(NoSuchDirectory));

        Assert.Equal(ServiceNotInstalledException.InstallCommand, error.Message);
    }

    [Fact]
    public void MissingPythonInterpreterIsReportedAsMissingCelery()
    {
        Assert.Equal($"{NoSuchDirectory}/python3", CeleryPython.FindMissingCelery($"{NoSuchDirectory}/python3"));
    }
}
