using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>Send-Task against a real RabbitMQ broker and real stores.</summary>
public sealed class SendTaskTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public SendTaskTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Send_Task_sends_now_and_writes_the_PENDING_record_with_its_arguments(string provider)
    {
        var store = new SeedStore(provider);

        var result = _host.RunOn(store, """Send-Task email.send '["a"]' '{"to": "ops@example.com"}' -Queue mail""", brokerUrl: TestStores.BrokerUrl)
            .AssertSucceeded();

        var sent = Assert.Single(result.Output);
        Assert.Equal("PENDING", sent.Properties["Status"].Value);
        Assert.Equal("mail", sent.Properties["Queue"].Value);
        var stored = store.Get((string)sent.Properties["TaskId"].Value)!;
        Assert.Equal("email.send", (string)stored.TaskName);
        Assert.Contains("ops@example.com", (string)stored.Kwargs);
    }

    [Fact]
    public void Arguments_given_as_PowerShell_values_are_sent_as_Celery_JSON()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, """
            $when = [datetime]::new(2030, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
            Send-Task report.build 42, 'two', $true, 1.5, $null, @(1, 2), $when -Kwargs ([ordered]@{ to = 'ops@example.com'; tags = 'a', 'b'; nested = @{ n = 1 } })
            Send-Task email.send @('one string') -Kwargs ([pscustomobject]@{ to = 'x@example.com' })
            """, brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal(2, result.Output.Count);
        var report = store.Get((string)result.Output[0].Properties["TaskId"].Value)!;
        Assert.Equal("""[42,"two",true,1.5,null,[1,2],"2030-01-02T03:04:05.0000000Z"]""", (string)report.Args);
        Assert.Equal("""{"to":"ops@example.com","tags":["a","b"],"nested":{"n":1}}""", (string)report.Kwargs);
        var email = store.Get((string)result.Output[1].Properties["TaskId"].Value)!;
        Assert.Equal(("""["one string"]""", """{"to":"x@example.com"}"""), ((string)email.Args, (string)email.Kwargs));
    }

    [Fact]
    public void A_value_with_no_JSON_form_is_an_InvalidArgument_error_that_names_where_it_is_and_the_next_task_is_sent()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, """
            Send-Task files.scan -Kwargs @{ file = (Get-Item /) }
            Send-Task files.scan -Kwargs @{ path = '/' }
            """, brokerUrl: TestStores.BrokerUrl);

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("kwargs.file holds a System.IO.DirectoryInfo", error.Exception.Message);
        var sent = Assert.Single(result.Output);
        Assert.Equal("""{"path":"/"}""", (string)store.Get((string)sent.Properties["TaskId"].Value)!.Kwargs);
    }

    [Fact]
    public void A_countdown_keeps_the_task_in_the_store_as_SCHEDULED()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, "Send-Task reports.nightly -Countdown (New-TimeSpan -Hours 1)", brokerUrl: TestStores.BrokerUrl)
            .AssertSucceeded();

        var scheduled = Assert.Single(result.Output);
        Assert.Equal("SCHEDULED", scheduled.Properties["Status"].Value);
        Assert.InRange((DateTime)scheduled.Properties["Eta"].Value, DateTime.UtcNow.AddMinutes(59), DateTime.UtcNow.AddMinutes(61));
    }

    [Fact]
    public void Link_and_LinkError_ride_with_the_task_even_while_it_waits_in_the_store_as_SCHEDULED()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, "Send-Task reports.nightly -Countdown (New-TimeSpan -Hours 1) -Queue reports -Link reports.mail, reports.archive -LinkError ops.alert",
            brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var meta = (string)store.Get((string)Assert.Single(result.Output).Properties["TaskId"].Value)!.Meta;
        Assert.Contains("""{"task":"reports.mail","args":[],"kwargs":{},"options":{"queue":"reports"}""", meta);
        Assert.Contains("\"reports.archive\"", meta);
        Assert.Contains("""errbacks":[{"task":"ops.alert""", meta);
    }

    [Fact]
    public void WhatIf_sends_and_stores_nothing()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, "Send-Task email.send -WhatIf; @(Get-TaskResult).Count", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        Assert.Equal(new[] { 0 }, result.OutputOf<int>());
        Assert.Contains("What if: Performing the operation \"Send the task\" on target \"email.send\"", result.HostText);
    }

    [Fact]
    public void Arguments_that_are_not_a_JSON_array_are_an_InvalidArgument_error()
    {
        var result = _host.RunOn(new SeedStore(TestStores.Sqlite), "Send-Task email.send 'not json'", brokerUrl: TestStores.BrokerUrl);

        var error = Assert.Single(result.Errors);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("email.send", error.TargetObject);
        Assert.Contains("pass one string argument as @('text')", error.Exception.Message);
    }
}
