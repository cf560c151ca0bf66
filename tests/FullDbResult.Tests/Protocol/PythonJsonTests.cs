using System.Text.Json;
using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

public class PythonJsonTests
{
    public static TheoryData<string, string> CeleryArgs => PythonCases.Of("args", "dumps");

    public static TheoryData<string, string> CeleryKwargs => PythonCases.Of("kwargs", "dumps");

    [Theory]
    [MemberData(nameof(CeleryArgs))]
    [MemberData(nameof(CeleryKwargs))]
    public void Layout_is_byte_for_byte_what_kombu_json_dumps_writes(string compactJson, string kombuJson) =>
        Assert.Equal(kombuJson, PythonJson.Format(compactJson));

    [Fact]
    public void Separators_are_comma_space_and_colon_space() =>
        Assert.Equal("{\"a\": [1, 2], \"b\": {}}", PythonJson.Format("{ \"a\" :[1,2],\n\"b\":{ } }"));

    [Fact]
    public void Every_character_outside_printable_ascii_is_escaped_in_lower_case_hex() =>
        Assert.Equal("[\"\\u00e9\\ud83d\\ude00\\u007f\\u0001\\t/\"]", PythonJson.Format("[\"é😀\u007f\\u0001\\t\\/\"]"));

    [Fact]
    public void Number_literals_are_copied_verbatim_so_no_digit_is_lost() =>
        Assert.Equal(
            "[123456789012345678901234567890, 0.1000000000000000055511151231257827, 1E400, -0, 2.50]",
            PythonJson.Format("[123456789012345678901234567890,0.1000000000000000055511151231257827,1E400,-0,2.50]"));

    [Theory]
    [InlineData("")]
    [InlineData("[1,")]
    [InlineData("[1] [2]")]
    [InlineData("{'a': 1}")]
    [InlineData("[NaN]")]
    [InlineData("[1,]")]
    [InlineData("[\"\\ud800\"]")]
    public void Text_that_is_not_one_valid_json_value_is_refused(string json) =>
        Assert.ThrowsAny<JsonException>(() => PythonJson.Format(json));
}
