using System.Data.Common;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// What the library logs while a cmdlet runs it (here the dispatcher, on its own threads) reaches the
/// pipeline: a warning as a warning the operator sees, on the pipeline thread PowerShell requires.
/// </summary>
public sealed class LibraryLogTests : IClassFixture<ModuleHostFixture>
{
    private readonly ModuleHost _host;

    public LibraryLogTests(ModuleHostFixture fixture) => _host = fixture.Host;

    [Fact]
    public void The_dispatchers_warning_about_a_task_that_lost_its_claim_is_written_as_a_PowerShell_warning()
    {
        var now = SeedStore.Now;
        var store = new SeedStore(TestStores.PostgreSql)
            .Insert(now.AddHours(-1), SeedStore.NewTask("lost", "t", "SCHEDULED", eta: now.AddMinutes(-5)),
                SeedStore.NewTask("kept", "t", "SCHEDULED", eta: now.AddMinutes(-5)));
        // Another dispatcher takes over the row 'lost' as this one claims it, as a release and re-claim between
        // the claim and the bookkeeping would: the dispatcher skips it with a warning.
        Execute(store.ConnectionString, """
            CREATE FUNCTION steal_claim() RETURNS trigger AS $$
            BEGIN
                IF NEW.task_id = 'lost' AND OLD.scheduled_id IS NULL AND NEW.scheduled_id IS NOT NULL THEN
                    NEW.scheduled_id := 'another-dispatcher';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER steal_claim BEFORE UPDATE ON fulldbresult_task FOR EACH ROW EXECUTE FUNCTION steal_claim();
            """);

        var result = _host.RunOn(store, "Invoke-ScheduledDispatch -Confirm:$false", brokerUrl: TestStores.BrokerUrl).AssertSucceeded();

        var summary = Assert.Single(result.Output);
        Assert.Equal(1, summary.Properties["Sent"].Value);
        Assert.Equal(1, summary.Properties["Skipped"].Value);
        Assert.Contains(result.Warnings, w => w.Message == "Scheduled task lost lost its claim before it was sent; skipped");
    }

    // Through the store's own driver, in the module's load context: this process may load Npgsql only there.
    private static void Execute(string connectionString, string sql)
    {
        // The dialects are internal to the engine: reflection reaches them where a dynamic call may not.
        var dialect = ModuleHost.EngineType("FullDbResult.Storage.Dialects.PostgreSqlDialect");
        using var connection = (DbConnection)dialect.GetMethod("CreateConnection")!.Invoke(Activator.CreateInstance(dialect, nonPublic: true), [connectionString])!;
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
