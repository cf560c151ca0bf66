using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

public class CeleryTimestampTests
{
    private static readonly DateTimeOffset Eta = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_010);

    [Fact]
    public void Format_is_python_isoformat_with_microseconds_and_utc_offset() =>
        Assert.Equal("2030-01-02T03:04:05.678901+00:00", CeleryTimestamp.Format(Eta));

    [Fact]
    public void Format_omits_microseconds_when_they_are_zero_as_python_does() =>
        Assert.Equal("2030-01-02T04:04:05+00:00", CeleryTimestamp.Format(new DateTimeOffset(2030, 1, 2, 4, 4, 5, TimeSpan.Zero)));

    [Fact]
    public void Format_drops_ticks_finer_than_a_microsecond() =>
        Assert.Equal("2030-01-02T03:04:05.678901+00:00", CeleryTimestamp.Format(Eta.AddTicks(9)));

    [Fact]
    public void Format_writes_a_time_with_another_offset_in_utc() =>
        Assert.Equal("2030-01-02T01:04:05+00:00", CeleryTimestamp.Format(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2))));

    [Theory]
    [InlineData("2030-01-02T03:04:05.678901+00:00")]
    [InlineData("2030-01-02T03:04:05.678901Z")]
    [InlineData("2030-01-02T03:04:05.678901")]
    [InlineData("2030-01-02 03:04:05.678901")]
    [InlineData("2030-01-02T05:04:05.678901+02:00")]
    [InlineData("2030-01-01T22:04:05.678901-05:00")]
    [InlineData("2030-01-02T03:04:05.6789010+00:00")]
    [InlineData("2030-01-02T03:04:05.678901099+00:00")]
    public void Parse_reads_every_form_celery_reads_with_no_offset_meaning_utc_and_digits_past_ticks_dropped(string text)
    {
        Assert.True(CeleryTimestamp.TryParse(text, out var parsed));
        Assert.Equal(Eta, parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Fact]
    public void Parse_reads_a_fraction_as_a_fraction_of_a_second()
    {
        Assert.True(CeleryTimestamp.TryParse("2030-01-02T03:04:05.5Z", out var parsed));
        Assert.Equal(500, parsed.Millisecond);
    }

    [Fact]
    public void Parse_takes_seconds_as_optional()
    {
        Assert.True(CeleryTimestamp.TryParse("2030-01-02T03:04Z", out var parsed));
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 3, 4, 0, TimeSpan.Zero), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tomorrow")]
    [InlineData("2030-13-01T00:00:00+00:00")]
    [InlineData("2030-02-30T00:00:00+00:00")]
    [InlineData("2030-01-02T25:00:00+00:00")]
    [InlineData("2030-01-02T03:04:05+0000")]
    [InlineData("2030-01-02T03:04:05+00:00 trailing")]
    [InlineData("2030-01-02T03:04:05+00:00\n")]
    [InlineData("2030-01-02T03:04:05+15:00")]
    [InlineData("1706745600")]
    public void Parse_refuses_what_is_not_an_iso_8601_time(string text) =>
        Assert.False(CeleryTimestamp.TryParse(text, out _));
}
