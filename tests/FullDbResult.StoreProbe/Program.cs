using FullDbResult.Storage;

// Usage: FullDbResult.StoreProbe migrate <provider> <connection string>
// Prints the number of schema steps this process applied.
if (args is not ["migrate", var provider, var connectionString])
{
    Console.Error.WriteLine("usage: FullDbResult.StoreProbe migrate <provider> <connection string>");
    return 2;
}
var store = new TaskStore(new StoreConnection(connectionString, Enum.Parse<DatabaseProvider>(provider)));
Console.WriteLine(await store.MigrateAsync());
return 0;
