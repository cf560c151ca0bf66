using System.Management.Automation;

namespace FullDbResult.PowerShell.Tests;

/// <summary>
/// Every failure an operator can cause by a typo is an ErrorRecord with a standard id, a category, a target,
/// and a message that names the problem and what to do: never a raw .NET message.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class CmdletErrorTests : IDisposable
{
    private readonly ModuleHost _host = new();

    [Fact]
    public void An_age_of_TimeSpan_MaxValue_is_refused_when_it_binds_with_the_longest_age_allowed()
    {
        var result = _host.Run("Get-StaleTask -ConnectionString \"Data Source=$db\" -OlderThan ([TimeSpan]::MaxValue)", Db());

        var error = AssertError(result, "ParameterArgumentValidationError,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidData);
        Assert.Contains("36500 days", error.Exception.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("([double]::PositiveInfinity)")]
    public void An_age_in_hours_that_is_not_a_number_is_refused_when_it_binds(string hours)
    {
        var result = _host.Run($"Get-StaleTask -ConnectionString \"Data Source=$db\" -Hours {hours}", Db());

        var error = AssertError(result, "ParameterArgumentValidationError,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidData);
        Assert.Contains("not a number from 0 to 876000", error.Exception.Message);
    }

    [Fact]
    public void A_malformed_postgresql_URL_is_an_invalid_argument_that_shows_how_to_write_it()
    {
        var result = _host.Run("Get-StaleTask -ConnectionString 'postgresql://ops:pw@db:notaport/tasks'");

        var error = AssertError(result, "InvalidStoreConnection,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidArgument);
        Assert.Equal("-ConnectionString", error.TargetObject);
        Assert.Contains("postgresql://user:password@host:port/database", error.Exception.Message);
        Assert.DoesNotContain(":pw@", error.Exception.Message);
    }

    [Theory]
    [InlineData("Initialize-TaskStore -ConnectionString \"Data Source=$db\"")]
    [InlineData("Send-Task email.send -ConnectionString \"Data Source=$db\" -BrokerUrl 'amqp://guest:guest@127.0.0.1:1/'")]
    public void A_corrupt_SQLite_file_is_invalid_data_that_says_to_check_the_path_or_restore_it(string command)
    {
        var file = Path.Combine(ModuleHost.ScratchDirectory, $"{Guid.NewGuid():N}.db");
        File.WriteAllBytes(file, Enumerable.Range(0, 8192).Select(i => (byte)(i * 7 % 251)).ToArray());

        var result = _host.Run(command, new Dictionary<string, object?> { ["db"] = file });

        var error = AssertError(result, "StoreDamaged,", ErrorCategory.InvalidData);
        Assert.Contains(file, (string)error.TargetObject);
        Assert.Contains("restore", error.Exception.Message);
    }

    [Theory]
    [InlineData("Data Source=/var/lib/fulldbresult/tasks.db")]
    [InlineData("Data Source=tasks.db")]
    public void A_SQLite_path_given_with_Provider_PostgreSql_is_an_invalid_argument_that_names_the_mismatch(string connectionString)
    {
        var result = _host.Run("Get-StaleTask -ConnectionString $cs -Provider PostgreSql", new Dictionary<string, object?> { ["cs"] = connectionString });

        var error = AssertError(result, "InvalidStoreConnection,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidArgument);
        Assert.Equal("-ConnectionString", error.TargetObject);
        Assert.Contains("names a SQLite file, but the provider is PostgreSql", error.Exception.Message);
    }

    [Fact]
    public void An_unknown_FULLDBRESULT_PROVIDER_is_an_invalid_argument_that_names_the_variable_and_the_valid_names()
    {
        Environment.SetEnvironmentVariable("FULLDBRESULT_CONNECTION_STRING", "Host=db;Database=tasks");
        Environment.SetEnvironmentVariable("FULLDBRESULT_PROVIDER", "Oracle");
        try
        {
            var result = _host.Run("Get-StaleTask");

            var error = AssertError(result, "InvalidStoreConnection,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidArgument);
            Assert.Contains("FULLDBRESULT_PROVIDER", (string)error.TargetObject);
            Assert.Contains("FULLDBRESULT_PROVIDER is 'Oracle'", error.Exception.Message);
            Assert.Contains("Sqlite, PostgreSql or SqlServer", error.Exception.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FULLDBRESULT_CONNECTION_STRING", null);
            Environment.SetEnvironmentVariable("FULLDBRESULT_PROVIDER", null);
        }
    }

    [Fact]
    public void A_connection_string_that_is_not_key_value_pairs_is_an_invalid_argument_that_shows_the_forms()
    {
        var result = _host.Run("Get-StaleTask -ConnectionString '/var/lib/fulldbresult/tasks.db'");

        var error = AssertError(result, "InvalidStoreConnection,FullDbResult.PowerShell.Commands.GetStaleTaskCommand", ErrorCategory.InvalidArgument);
        Assert.Contains("Data Source=<path>", error.Exception.Message);
    }

    public void Dispose() => _host.Dispose();

    private static Dictionary<string, object?> Db() =>
        new() { ["db"] = Path.Combine(ModuleHost.ScratchDirectory, $"{Guid.NewGuid():N}.db") };

    // PowerShell's own parameter-binding errors carry no target; the parameter is named in the message.
    private static ErrorRecord AssertError(ScriptResult result, string errorId, ErrorCategory category)
    {
        var error = Assert.IsType<ErrorRecord>(result.FirstError);
        Assert.StartsWith(errorId, error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        if (!errorId.StartsWith("ParameterArgumentValidationError", StringComparison.Ordinal)) Assert.NotNull(error.TargetObject);
        else Assert.Contains("parameter", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        return error;
    }
}
