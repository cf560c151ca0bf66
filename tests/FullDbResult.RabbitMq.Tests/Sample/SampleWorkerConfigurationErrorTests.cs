using System.Diagnostics;
using FullDbResult.RabbitMq.Tests.Connection;
using Xunit;

namespace FullDbResult.RabbitMq.Tests.Sample;

/// <summary>The sample worker started with a wrong broker password: a one-line error and a non-zero exit, no stack trace (issue 11 defect 8).</summary>
public sealed class SampleWorkerConfigurationErrorTests
{
    [Fact]
    public async Task A_wrong_broker_password_exits_non_zero_with_one_line_saying_authentication_failed_and_no_password()
    {
        var database = Path.Combine(Path.GetTempPath(), $"fulldbresult-sample-{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "FullDbResult.SampleWorker.dll"), "--store", $"Data Source={database}" })
            start.ArgumentList.Add(arg);
        start.Environment["FULLDBRESULT_BROKER_URL"] = AuthenticationFailureTests.UrlWithWrongPassword;
        using var worker = Process.Start(start)!;
        var (stdout, stderr) = (worker.StandardOutput.ReadToEndAsync(), worker.StandardError.ReadToEndAsync());
        try
        {
            Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(60)), "the sample worker did not exit");
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
        }

        var errorLines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1, worker.ExitCode);
        var line = Assert.Single(errorLines);
        Assert.Contains("authentication failed", line);
        Assert.Contains("refused user 'guest'", line);
        Assert.DoesNotContain("not reachable", line);
        Assert.DoesNotContain("Wr0ng", (await stdout) + line);
        Assert.DoesNotContain("   at ", (await stdout) + line);
    }
}
