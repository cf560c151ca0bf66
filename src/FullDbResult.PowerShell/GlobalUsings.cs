// The namespaces nearly every cmdlet uses: PowerShell's own, and the store's task, storage and scheduling types.
global using System.Management.Automation;
global using FullDbResult.PowerShell.Completion;
global using FullDbResult.Scheduling;
global using FullDbResult.Storage;
global using FullDbResult.Tasks;
