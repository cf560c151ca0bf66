using Dapper;
using FullDbResult.Storage;
using FullDbResult.Storage.Schema;
using Xunit;

namespace FullDbResult.Tests.Storage;

public class SchemaTests
{
    public static IEnumerable<object[]> Providers() => TestStores.Providers();

    [Theory, MemberData(nameof(Providers))]
    public async Task Migrating_twice_applies_each_step_once(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);

        Assert.Equal(Migrations.All.Count, await store.MigrateAsync());
        Assert.Equal(0, await store.MigrateAsync());
        Assert.Equal(TaskStore.KnownSchemaVersion, await store.GetSchemaVersionAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Two_processes_migrating_one_database_at_once_both_succeed(DatabaseProvider provider)
    {
        var connection = TestStores.NewDatabase(provider);

        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => StoreProbe.Run("migrate", connection))).ToList();
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Output));
        // One process applied the steps, the other found them applied.
        Assert.Equal([0, Migrations.All.Count], results.Select(r => int.Parse(r.Output.Trim())).Order());
        Assert.Equal(TaskStore.KnownSchemaVersion, await new TaskStore(connection).GetSchemaVersionAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_version_1_database_with_tasks_upgrades_to_the_latest_version_and_keeps_them(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        var now = DateTime.UtcNow;
        await using (var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var statement in store.Dialect.OnCreate.Append(store.Dialect.CreateSchemaTable).Concat(Migrations.All[0].Statements(store.Dialect)))
                await connection.ExecuteAsync(statement);
            await connection.ExecuteAsync("INSERT INTO fulldbresult_schema (version, description, applied_at) VALUES (1, 'v1', @now)", new { now });
            await connection.ExecuteAsync(
                """
                INSERT INTO fulldbresult_task (task_id, task_name, status, args, kwargs, date_submitted, date_updated, hidden)
                VALUES ('from-v1', 'email.send', 'SUCCESS', '[1]', '{}', @now, @now, @hidden)
                """, new { now, hidden = true });
        }

        Assert.Equal(Migrations.All.Count - 1, await store.MigrateAsync());

        var read = await store.GetAsync("from-v1");
        Assert.Equal(("email.send", "SUCCESS", "[1]"), (read!.TaskName, read.Status, read.Args));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task The_declared_task_row_is_the_migrated_table_column_for_column(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.MigrateAsync();

        await using var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString);
        var stored = (await connection.QueryAsync<(string Name, string Type)>(provider switch
        {
            DatabaseProvider.Sqlite => "SELECT name, type FROM pragma_table_info('fulldbresult_task') ORDER BY cid",
            DatabaseProvider.PostgreSql =>
                """
                SELECT a.attname, replace(replace(format_type(a.atttypid, a.atttypmod), 'character varying', 'varchar'), 'timestamp with time zone', 'timestamptz')
                FROM pg_attribute a WHERE a.attrelid = 'fulldbresult_task'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                """,
            _ => "SELECT column_name, '' FROM information_schema.columns WHERE table_name = 'fulldbresult_task' ORDER BY ordinal_position",
        })).Skip(1).ToList();

        Assert.Equal(TaskRow.Columns.Select(c => c.Name), stored.Select(c => c.Name));
        if (provider != DatabaseProvider.SqlServer)
            Assert.Equal(TaskRow.Columns.Select(c => c.SqlType(store.Dialect)), stored.Select(c => c.Type));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_schema_newer_than_the_code_is_refused_with_both_versions_named(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider);
        await store.MigrateAsync();
        await using (var connection = store.Dialect.CreateConnection(store.Connection.ConnectionString))
            await connection.ExecuteAsync(
                "INSERT INTO fulldbresult_schema (version, description, applied_at) VALUES (99, 'from the future', @now)",
                new { now = DateTime.UtcNow });

        var fresh = new TaskStore(store.Connection);
        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => fresh.GetAsync("x"));
        Assert.Contains("version 99", error.Message);
        Assert.Contains($"up to {TaskStore.KnownSchemaVersion}", error.Message);
        await Assert.ThrowsAsync<SchemaVersionException>(() => fresh.MigrateAsync());
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Without_auto_migration_a_missing_schema_says_how_to_create_it(DatabaseProvider provider)
    {
        var store = TestStores.NewStore(provider, new TaskStoreOptions { AutoMigrate = false });

        var error = await Assert.ThrowsAsync<SchemaVersionException>(() => store.GetAsync("x"));

        Assert.Contains("schema is missing", error.Message);
        Assert.Contains("Initialize-TaskStore", error.Message);
    }
}
