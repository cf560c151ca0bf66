// The namespaces most of the library uses: its task and storage types, the publisher contract, and the
// logging every service takes (a null logger meaning NullLogger).
global using FullDbResult.Publishing;
global using FullDbResult.Storage;
global using FullDbResult.Tasks;
global using Microsoft.Extensions.Logging;
global using Microsoft.Extensions.Logging.Abstractions;
global using FullDbResult.Diagnostics;
