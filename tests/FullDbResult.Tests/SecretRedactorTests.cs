using FullDbResult.Storage;
using Xunit;

namespace FullDbResult.Tests;

/// <summary>The one redactor hides a password whatever characters it holds, in URLs and in connection strings.</summary>
public class SecretRedactorTests
{
    public static TheoryData<string> NastyPasswords => new(
        "EnvSecret/Zx9=", "p@ss:w/rd#x?y", "sl%2Fash%40at", "semi;colon=Pwd", "quo\"te'single", "sp ace{br}", "ünï€ode");

    [Theory, MemberData(nameof(NastyPasswords))]
    public void A_URL_keeps_its_user_and_host_and_loses_its_password_even_when_it_does_not_parse(string password)
    {
        var redacted = SecretRedactor.RedactUrl($"amqp://ops2:{password}@rabbit:5672/vhost");

        Assert.Equal("amqp://ops2:***@rabbit:5672/vhost", redacted);
    }

    [Fact]
    public void A_URL_without_a_password_is_left_as_it_is()
    {
        Assert.Equal("amqp://rabbit:5672/", SecretRedactor.RedactUrl("amqp://rabbit:5672/"));
        Assert.Equal("amqp://ops@rabbit/", SecretRedactor.RedactUrl("amqp://ops@rabbit/"));
    }

    [Fact]
    public void Text_without_a_scheme_but_with_an_at_sign_loses_everything_before_it()
    {
        Assert.Equal("***@rabbit/", SecretRedactor.RedactUrl("ops:pa/ss@rabbit/"));
    }

    [Theory, MemberData(nameof(NastyPasswords))]
    public void Every_key_that_names_a_secret_is_masked_in_a_connection_string(string password)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder
        {
            ["Host"] = "db",
            ["Password"] = password,
            ["SSL Password"] = password,
            ["PWD"] = password,
            ["Client Certificate Key Password"] = password,
            ["Secret"] = password,
        };

        var redacted = SecretRedactor.RedactConnectionString(builder.ConnectionString);

        Assert.DoesNotContain(password, redacted);
        Assert.Contains("host=db", redacted);
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_not_shown_at_all()
    {
        Assert.Equal(SecretRedactor.UnparseableConnectionString, SecretRedactor.RedactConnectionString("Host=db;Password='hunter2"));
    }

    [Fact]
    public void A_credential_given_apart_replaces_the_one_in_the_connection_string_and_is_not_shown()
    {
        var connection = new StoreConnection("Host=db;Database=tasks;Username=old;Password=old-pw").WithCredential("ops", "new;pw'\"");

        Assert.Contains("new;pw'\"", new Npgsql.NpgsqlConnectionStringBuilder(connection.ConnectionString).Password);
        Assert.Equal("ops", new Npgsql.NpgsqlConnectionStringBuilder(connection.ConnectionString).Username);
        Assert.DoesNotContain("old-pw", connection.ConnectionString);
        Assert.DoesNotContain("new;pw", connection.ToString());
    }
}
