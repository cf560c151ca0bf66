using Xunit;

namespace FullDbResult.RabbitMq.Tests.Cluster;

/// <summary>A cluster's nodes given to one connection as ';'-separated URLs, as Celery's broker_url takes them.</summary>
public sealed class BrokerUrlListTests
{
    [Fact]
    public async Task Every_password_in_a_list_of_broker_urls_is_redacted()
    {
        await using var connection = new RabbitMqConnection("amqp://app:s3cret@node1:5672/;amqp://app:s3cret@node2:5673/ ; amqp://app:s3cret@node3/");

        Assert.Equal("amqp://app:***@node1:5672/;amqp://app:***@node2:5673/;amqp://app:***@node3/", connection.RedactedUrl);
    }

    [Fact]
    public void A_list_that_mixes_amqp_and_amqps_is_refused_without_its_passwords()
    {
        var error = Assert.Throws<ArgumentException>(() => new RabbitMqConnection("amqp://app:s3cret@node1/;amqps://app:s3cret@node2/"));

        Assert.Contains("mix amqp:// and amqps://", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
    }

    [Fact]
    public void A_list_with_a_url_that_is_not_amqp_names_that_url_without_its_password()
    {
        var error = Assert.Throws<ArgumentException>(() => new RabbitMqConnection("amqp://app:s3cret@node1/;http://app:s3cret@node2/"));

        Assert.Contains("'http://app:***@node2/' is not an amqp:// or amqps:// URL", error.Message);
        Assert.DoesNotContain("s3cret", error.Message);
    }
}
