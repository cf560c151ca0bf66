using System.Text.Json;
using Xunit.Abstractions;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// The ops checks shipped in the module's Examples folder, run as an operator runs them: real Invoke-Pester in
/// real pwsh, the module imported by name, the store from FULLDBRESULT_CONNECTION_STRING or from
/// Connect-FullDbResult in the same session. Each check must pass on a healthy store and fail, on its
/// assertion and not on an error, on an unhealthy one. The Connect-FullDbResult runs are in New York time:
/// the checks compute their windows from the local Get-Date, as an operator's scripts do.
/// </summary>
[Collection(PwshCollection.Name)]
public sealed class OpsCheckTests(PwshModule module, ITestOutputHelper output)
{
    /// <summary>Every check of the three files; a new check needs a fault in <see cref="OpsCheckStores.Unhealthy"/>.</summary>
    private static readonly string[] Checks =
    [
        "Scheduled tasks are dispatched.no claimed scheduled task older than ten minutes",
        "Scheduled tasks are dispatched.dispatch is keeping up",
        "Tasks finish.no task stale for more than an hour",
        "Tasks finish.no worker died with a task in hand",
        "Tasks finish.fewer than ten failures in the last hour",
        "Workers.at least one worker sends heartbeats",
        "Workers.no worker went silent without stopping",
    ];

    public static TheoryData<string, string> StoresAndHowTheyAreGiven => new()
    {
        { TestStores.Sqlite, "environment" },
        { TestStores.PostgreSql, "Connect-FullDbResult" },
    };

    [Theory]
    [MemberData(nameof(StoresAndHowTheyAreGiven))]
    public void Every_ops_check_passes_on_a_healthy_store(string provider, string givenBy)
    {
        var store = OpsCheckStores.Healthy(provider);
        using var worker = OpsCheckStores.KeepWorkerAlive(store);

        var (passed, failed, checks) = InvokePester(store, givenBy);

        Assert.Equal(Checks.Order(), checks.Select(check => check.Name).Order());
        Assert.All(checks, check => Assert.True(check.Result == "Passed", $"{check.Name}: {check.Result} {check.Message}"));
        Assert.Equal((Checks.Length, 0), (passed, failed));
    }

    [Theory]
    [MemberData(nameof(StoresAndHowTheyAreGiven))]
    public void Every_ops_check_fails_on_its_assertion_on_an_unhealthy_store(string provider, string givenBy)
    {
        var (passed, failed, checks) = InvokePester(OpsCheckStores.Unhealthy(provider), givenBy);

        Assert.Equal(Checks.Order(), checks.Select(check => check.Name).Order());
        // "Expected ..." is Should's own failure: the check looked at the store and did not like what it saw.
        Assert.All(checks, check => Assert.True(check.Result == "Failed" && check.Message.StartsWith("Expected"), $"{check.Name}: {check.Result} {check.Message}"));
        Assert.Equal((0, Checks.Length), (passed, failed));
    }

    private (int Passed, int Failed, List<CheckResult> Checks) InvokePester(SeedStore store, string givenBy)
    {
        var resultFile = Path.Combine(ModuleHost.ScratchDirectory, $"pester-{Guid.NewGuid():N}.json");
        var connect = givenBy == "environment" ? "" : $"Connect-FullDbResult -ConnectionString {PwshProcess.Quote(store.ConnectionString)} | Out-Null";
        var environment = givenBy == "environment"
            ? new Dictionary<string, string?> { ["FULLDBRESULT_CONNECTION_STRING"] = store.ConnectionString }
            : new Dictionary<string, string?> { ["TZ"] = "America/New_York" };

        var run = module.Command($$"""
            Import-Module {{PwshProcess.Quote(PwshProcess.PesterManifest)}}
            Import-Module FullDbResult
            {{connect}}
            $configuration = New-PesterConfiguration
            $configuration.Run.Path = {{PwshProcess.Quote(Path.Combine(module.ModuleDirectory, "Examples"))}}
            $configuration.Run.PassThru = $true
            $configuration.Output.Verbosity = 'Detailed'
            $result = Invoke-Pester -Configuration $configuration
            @($result.Tests | ForEach-Object {
                [pscustomobject]@{ Name = $_.ExpandedPath; Result = "$($_.Result)"; Message = "$($_.ErrorRecord | Select-Object -First 1)" }
            }) | ConvertTo-Json -AsArray | Set-Content -Path {{PwshProcess.Quote(resultFile)}}
            "PassedCount $($result.PassedCount) FailedCount $($result.FailedCount)"
            """, environment);
        output.WriteLine(run.ToString());

        // Invoke-Pester sets exit code only with Run.Exit; the summary line is the script's last output.
        var summary = run.Lines[^1].Split(' ');
        Assert.True(summary is ["PassedCount", _, "FailedCount", _], run.ToString());
        var checks = JsonSerializer.Deserialize<List<CheckResult>>(File.ReadAllText(resultFile))!;
        return (int.Parse(summary[1]), int.Parse(summary[3]), checks);
    }

    private sealed record CheckResult(string Name, string Result, string Message);
}
