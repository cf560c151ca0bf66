using System.Text;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

public class AmqpHeaderValuesTests
{
    [Fact]
    public void Strings_that_rabbitmq_client_delivers_as_utf8_bytes_become_strings() =>
        Assert.Equal("proj.add ✓", AmqpHeaderValues.NormalizeValue(Encoding.UTF8.GetBytes("proj.add ✓")));

    [Fact]
    public void Bytes_that_are_not_utf8_are_kept_as_bytes()
    {
        byte[] binary = [0xff, 0xfe, 0x00];
        Assert.Same(binary, AmqpHeaderValues.NormalizeValue(binary));
    }

    [Fact]
    public void Lists_and_tables_are_normalized_all_the_way_down()
    {
        var delivered = new Dictionary<string, object?>
        {
            ["timelimit"] = new List<object?> { (short)30, null },
            ["nested"] = new Dictionary<string, object?>
            {
                ["name"] = Encoding.UTF8.GetBytes("x"),
                ["list"] = new List<object?> { Encoding.UTF8.GetBytes("y"), (byte)1, new List<object?> { 2L } },
            },
        };

        var normalized = AmqpHeaderValues.Normalize(delivered);

        var timeLimit = Assert.IsType<List<object?>>(normalized["timelimit"]);
        Assert.Equal([30, null], timeLimit);
        Assert.IsType<int>(timeLimit[0]);
        var nested = Assert.IsType<Dictionary<string, object?>>(normalized["nested"]);
        Assert.Equal("x", nested["name"]);
        var list = Assert.IsType<List<object?>>(nested["list"]);
        Assert.Equal("y", list[0]);
        Assert.IsType<int>(list[1]);
        Assert.IsType<int>(Assert.IsType<List<object?>>(list[2])[0]);
    }

    [Theory]
    [InlineData((sbyte)-5)]
    [InlineData((byte)5)]
    [InlineData((short)-5)]
    [InlineData((ushort)5)]
    [InlineData(5u)]
    [InlineData(5L)]
    [InlineData(5UL)]
    public void Integers_that_fit_32_bits_become_int32_never_int16(object value) =>
        Assert.IsType<int>(AmqpHeaderValues.NormalizeValue(value));

    [Theory]
    [InlineData(5_000_000_000L)]
    [InlineData(-5_000_000_000L)]
    [InlineData(4_000_000_000u)]
    public void Integers_beyond_32_bits_become_int64(object value) =>
        Assert.Equal(Convert.ToInt64(value), Assert.IsType<long>(AmqpHeaderValues.NormalizeValue(value)));

    [Fact]
    public void Single_and_decimal_become_double()
    {
        Assert.Equal(1.5, Assert.IsType<double>(AmqpHeaderValues.NormalizeValue(1.5f)));
        Assert.Equal(2.25, Assert.IsType<double>(AmqpHeaderValues.NormalizeValue(2.25m)));
    }

    [Fact]
    public void Values_of_types_it_does_not_know_are_kept_unchanged()
    {
        var timestamp = new DateTime(2030, 1, 2);
        Assert.Equal(timestamp, AmqpHeaderValues.NormalizeValue(timestamp));
    }

    [Fact]
    public void A_missing_header_table_normalizes_to_an_empty_one() =>
        Assert.Empty(AmqpHeaderValues.Normalize(null));
}
