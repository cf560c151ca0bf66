using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Invoke-TaskRetry against a real RabbitMQ broker and real stores.</summary>
public sealed class InvokeTaskRetryTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public InvokeTaskRetryTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Stale_tasks_piped_to_Invoke_TaskRetry_are_sent_once_under_new_ids(string provider)
    {
        var store = StaleStore(provider);

        var first = RunWithBroker(store, "Get-StaleTask -Hours 1 | Invoke-TaskRetry").AssertSucceeded();
        var second = RunWithBroker(store, "Get-StaleTask -Hours 1 | Invoke-TaskRetry").AssertSucceeded();

        Assert.Equal(new[] { "s1", "s2" }, first.Output.Select(o => (string)o.Properties["RetriedFrom"].Value).Order());
        Assert.All(first.Output, o => Assert.Equal("PENDING", o.Properties["Status"].Value));
        Assert.Equal((string)first.Output[0].Properties["TaskId"].Value, (string)store.Get((string)first.Output[0].Properties["RetriedFrom"].Value)!.RetriedAs);
        Assert.Empty(second.Output);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void WhatIf_sends_nothing_and_says_what_it_would_send(string provider)
    {
        var store = StaleStore(provider);

        var result = RunWithBroker(store, "Get-StaleTask -Hours 1 | Invoke-TaskRetry -WhatIf").AssertSucceeded();

        Assert.Empty(result.Output);
        Assert.Contains("What if: Performing the operation \"Send the task again under a new id\" on target \"s1\"", result.HostText);
        Assert.Null(store.Get("s1")!.RetriedAs);
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void A_missing_id_in_the_middle_is_an_ObjectNotFound_error_and_the_others_are_retried(string provider)
    {
        var store = StaleStore(provider);

        var result = RunWithBroker(store, "'s1', 'missing', 's2' | Invoke-TaskRetry -Confirm:$false");

        Assert.Equal(new[] { "s1", "s2" }, result.Output.Select(o => (string)o.Properties["RetriedFrom"].Value));
        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("missing", error.TargetObject);
    }

    [Fact]
    public void Failed_tasks_are_retried_to_the_default_queue_with_DefaultRouting()
    {
        var store = new SeedStore(TestStores.Sqlite).Insert(SeedStore.Now, SeedStore.NewTask("f1", "t", "FAILURE"));

        var result = RunWithBroker(store, "Get-TaskResult -Status FAILURE | Invoke-TaskRetry -DefaultRouting -Confirm:$false").AssertSucceeded();

        var retried = Assert.Single(result.Output);
        Assert.Equal("celery", retried.Properties["RoutingKey"].Value);
    }

    [Fact]
    public void A_task_already_retried_is_a_ResourceExists_error()
    {
        var store = StaleStore(TestStores.Sqlite);
        RunWithBroker(store, "Invoke-TaskRetry s1").AssertSucceeded();

        var result = RunWithBroker(store, "Invoke-TaskRetry s1");

        Assert.Equal(ErrorCategory.ResourceExists, Assert.Single(result.Errors).CategoryInfo.Category);
    }

    [Fact]
    public void An_unreachable_broker_stops_the_retries_with_a_ConnectionError_that_names_no_password()
    {
        var store = StaleStore(TestStores.Sqlite);

        var result = _host.RunOn(store, "'s1', 's2' | Invoke-TaskRetry -Verbose", brokerUrl: "amqp://ops:s3cret-Pa55@127.0.0.1:1/");

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Equal("BrokerUnreachable,FullDbResult.PowerShell.Commands.InvokeTaskRetryCommand", error.FullyQualifiedErrorId);
        Assert.Contains("***", (string)error.TargetObject);
        Assert.DoesNotContain("s3cret-Pa55", string.Join("\n", result.Verbose.Select(v => v.Message).Append($"{error} {error.TargetObject} {error.Exception}")));
        // The first claim holds and its new row records the failed publish; the second task was never tried.
        Assert.NotNull(store.Get("s1")!.RetriedAs);
        Assert.Null(store.Get("s2")!.RetriedAs);
    }

    [Fact]
    public void A_retry_reports_its_progress_task_by_task_and_completes_it()
    {
        var store = StaleStore(TestStores.Sqlite);

        var result = RunWithBroker(store, "Get-StaleTask -Hours 1 | Invoke-TaskRetry").AssertSucceeded();

        Assert.Equal(new[] { "0 sent; now s1", "1 sent; now s2", "2 sent" }, result.Progress.Select(p => p.StatusDescription));
        Assert.All(result.Progress, p => Assert.Equal("Retrying tasks", p.Activity));
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
    }

    private static SeedStore StaleStore(string provider) => new SeedStore(provider).Insert(SeedStore.Now.AddHours(-2),
        SeedStore.NewTask("s1", "t", "PENDING"), SeedStore.NewTask("s2", "t", "STARTED"));

    // Connected as a user would be: Connect-FullDbResult -BrokerUrl, so the session names the broker.
    private ScriptResult RunWithBroker(SeedStore store, string script) => _host.RunOn(store, script, brokerUrl: TestStores.BrokerUrl);
}
