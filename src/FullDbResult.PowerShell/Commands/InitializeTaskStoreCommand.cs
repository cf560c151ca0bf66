namespace FullDbResult.PowerShell.Commands;

/// <summary>
/// Creates the store's tables, or migrates them to the version this module writes. Safe to run twice and from
/// several machines at once: the steps run under the database's lock. For stores whose users may not create
/// tables: run it once with an owner's connection string. Writes the schema version before and after.
/// </summary>
[Cmdlet(VerbsData.Initialize, "TaskStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TaskStoreSchema))]
public sealed class InitializeTaskStoreCommand : StoreCmdlet
{
    protected override void EndProcessing()
    {
        // Read without creating: under -WhatIf nothing may appear, not even an empty SQLite file.
        var before = Await(new TaskStore(Store.Connection, new TaskStoreOptions { AutoMigrate = false }).GetSchemaVersionAsync);
        var target = TaskStore.KnownSchemaVersion;
        if (before == target)
        {
            WriteObject(new TaskStoreSchema(Store.Connection.Redacted, before, before, stepsApplied: 0));
            return;
        }
        var action = before is null ? $"Create the schema (version {target})" : $"Migrate the schema from version {before} to {target}";
        if (!ShouldProcess(Store.Connection.Redacted, action)) return;
        var applied = Await(Store.MigrateAsync);
        WriteObject(new TaskStoreSchema(Store.Connection.Redacted, before, Await(Store.GetSchemaVersionAsync), applied));
    }
}
