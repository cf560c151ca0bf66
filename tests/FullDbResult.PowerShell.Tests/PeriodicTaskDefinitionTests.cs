using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>New-PeriodicTask, Set-PeriodicTask and Remove-PeriodicTask against real stores.</summary>
public sealed class PeriodicTaskDefinitionTests : IClassFixture<ModuleHostFixture>
{
    private const string Describe =
        "Get-PeriodicTask | ForEach-Object { '{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $_.Name, $_.TaskName, $_.CronExpression, $_.IntervalSeconds, $_.Enabled, $_.Args, $_.Kwargs }";

    private readonly ModuleHost _host;

    public PeriodicTaskDefinitionTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void New_PeriodicTask_defines_cron_and_interval_tasks_with_their_arguments(string provider)
    {
        var store = new SeedStore(provider);

        var result = _host.RunOn(store, $$"""
            New-PeriodicTask nightly reports.nightly -Cron '0 3 * * *' -TimeZone UTC -Kwargs @{format = 'pdf'} | Out-Null
            New-PeriodicTask -Name warm -TaskName cache.warm -Interval (New-TimeSpan -Minutes 15) -Args 1, 'two' -Disabled | Out-Null
            {{Describe}}
            """).AssertSucceeded();

        Assert.Equal(new[] { "nightly|reports.nightly|0 3 * * *||True|[]|{\"format\":\"pdf\"}", "warm|cache.warm||900|False|[1,\"two\"]|{}" },
            result.OutputOf<string>());
    }

    [Fact]
    public void An_invalid_cron_expression_is_refused_with_its_reason_and_nothing_is_written_even_with_WhatIf()
    {
        var store = new SeedStore(TestStores.Sqlite);

        var result = _host.RunOn(store, """
            New-PeriodicTask weekly weekly.digest -Cron '0 7 * * MON-FRI-X' -WhatIf
            New-PeriodicTask weekly weekly.digest -Cron '61 * * * *'
            New-PeriodicTask weekly weekly.digest -Cron '0 7 * * *' -TimeZone Nowhere/Atlantis
            New-PeriodicTask weekly weekly.digest
            @(Get-PeriodicTask).Count
            """);

        Assert.Equal(new[] { 0 }, result.OutputOf<int>());
        Assert.Equal(
            new[] { "InvalidCronExpression", "InvalidCronExpression", "InvalidTimeZone", "InvalidSchedule" },
            result.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.All(result.Errors, e => Assert.Equal((ErrorCategory.InvalidArgument, "weekly"), (e.CategoryInfo.Category, (string)e.TargetObject)));
        Assert.Contains("'61 * * * *' is not a valid cron expression", result.Errors[1].ToString());
        Assert.Contains("needs either a cron expression or an interval", result.Errors[3].ToString());
        Assert.DoesNotContain("What if", result.HostText);
    }

    [Fact]
    public void A_name_in_use_is_a_ResourceExists_error_and_the_definition_stays()
    {
        var store = new SeedStore(TestStores.Sqlite).AddPeriodic("nightly", "reports.nightly", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, $"New-PeriodicTask nightly other.task -Cron '@hourly'; {Describe}");

        Assert.Equal(ErrorCategory.ResourceExists, Assert.Single(result.Errors).CategoryInfo.Category);
        Assert.Equal(new[] { "nightly|reports.nightly||86400|True|[]|{}" }, result.OutputOf<string>());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Set_PeriodicTask_takes_names_from_the_pipeline_and_changes_only_what_is_given(string provider)
    {
        var store = new SeedStore(provider)
            .AddPeriodic("report-daily", "reports.daily", TimeSpan.FromDays(1))
            .AddPeriodic("report-hourly", "reports.hourly", TimeSpan.FromHours(1))
            .AddPeriodic("cache", "cache.warm", TimeSpan.FromMinutes(5));

        var result = _host.RunOn(store, $$"""
            Get-PeriodicTask 'report-*' | Set-PeriodicTask -Disable
            Set-PeriodicTask cache -Cron '*/10 * * * *' -Args @('eu') -Kwargs '{"full": true}'
            Set-PeriodicTask report-daily -Enable -Interval (New-TimeSpan -Hours 12)
            {{Describe}}
            """).AssertSucceeded();

        Assert.Equal(new[]
        {
            "cache|cache.warm|*/10 * * * *||True|[\"eu\"]|{\"full\": true}",
            "report-daily|reports.daily||43200|True|[]|{}",
            "report-hourly|reports.hourly||3600|False|[]|{}",
        }, result.OutputOf<string>());
    }

    [Fact]
    public void Set_PeriodicTask_refuses_a_bad_cron_expression_and_an_unknown_name_and_WhatIf_changes_nothing()
    {
        var store = new SeedStore(TestStores.Sqlite).AddPeriodic("cache", "cache.warm", TimeSpan.FromMinutes(5));

        var result = _host.RunOn(store, $$"""
            'missing', 'cache' | Set-PeriodicTask -Cron 'every tuesday'
            Set-PeriodicTask cache -Disable -WhatIf
            {{Describe}}
            """);

        Assert.Equal(new[] { ("missing", ErrorCategory.ObjectNotFound), ("cache", ErrorCategory.InvalidArgument) },
            result.Errors.Select(e => ((string)e.TargetObject, e.CategoryInfo.Category)));
        Assert.Contains("What if: Performing the operation \"Change the periodic task to cache (cache.warm, every 300 s), disabled\"", result.HostText);
        Assert.Equal(new[] { "cache|cache.warm||300|True|[]|{}" }, result.OutputOf<string>());
    }

    [Theory]
    [MemberData(nameof(TestStores.Providers), MemberType = typeof(TestStores))]
    public void Remove_PeriodicTask_removes_piped_definitions_and_errors_on_an_unknown_name(string provider)
    {
        var store = new SeedStore(provider)
            .AddPeriodic("old-a", "t.a", TimeSpan.FromDays(1))
            .AddPeriodic("old-b", "t.b", TimeSpan.FromDays(1))
            .AddPeriodic("keep", "t.c", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, """
            Get-PeriodicTask 'old-*' | Remove-PeriodicTask -WhatIf
            Get-PeriodicTask 'old-*' | Remove-PeriodicTask -Confirm:$false
            Remove-PeriodicTask missing -Confirm:$false
            (Get-PeriodicTask | ForEach-Object Name) -join ','
            """);

        Assert.Contains("What if: Performing the operation \"Remove the periodic task definition\" on target \"old-a\"", result.HostText);
        Assert.Equal(new[] { "keep" }, result.OutputOf<string>());
        Assert.Equal(("missing", ErrorCategory.ObjectNotFound), (((string)Assert.Single(result.Errors).TargetObject), result.Errors[0].CategoryInfo.Category));
    }

    [Fact]
    public void Periodic_task_names_follow_the_task_name_rule_case_sensitive_with_star_and_question_mark()
    {
        var store = new SeedStore(TestStores.Sqlite)
            .AddPeriodic("Report-a", "t.a", TimeSpan.FromDays(1))
            .AddPeriodic("report-b", "t.b", TimeSpan.FromDays(1))
            .AddPeriodic("report[c]", "t.c", TimeSpan.FromDays(1));

        var result = _host.RunOn(store, """
            (Get-PeriodicTask 'report-*' | ForEach-Object Name) -join ','
            (Get-PeriodicTask 'report[c]' | ForEach-Object Name) -join ','
            (Get-PeriodicTask '?eport-?' | ForEach-Object Name) -join ','
            """).AssertSucceeded();

        Assert.Equal(new[] { "report-b", "report[c]", "Report-a,report-b" }, result.OutputOf<string>());
    }
}
