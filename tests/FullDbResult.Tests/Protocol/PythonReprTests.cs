using FullDbResult.Protocol;
using Xunit;

namespace FullDbResult.Tests.Protocol;

public class PythonReprTests
{
    public static TheoryData<string, string> CeleryArgs => PythonCases.Of("args", "repr");

    public static TheoryData<string, string> CeleryKwargs => PythonCases.Of("kwargs", "repr");

    [Theory]
    [MemberData(nameof(CeleryArgs))]
    public void Argsrepr_is_what_celery_5_2_computes_for_the_same_args(string argsJson, string celeryArgsrepr) =>
        Assert.Equal(celeryArgsrepr, PythonRepr.OfArgs(argsJson));

    [Theory]
    [MemberData(nameof(CeleryKwargs))]
    public void Kwargsrepr_is_what_celery_5_2_computes_for_the_same_kwargs(string kwargsJson, string celeryKwargsrepr) =>
        Assert.Equal(celeryKwargsrepr, PythonRepr.OfKwargs(kwargsJson));

    [Fact]
    public void Empty_args_show_as_an_empty_tuple_because_celery_sends_args_or_empty_tuple() =>
        Assert.Equal("()", PythonRepr.OfArgs("[]"));

    [Fact]
    public void Strings_are_single_quoted_with_only_single_quotes_escaped() =>
        Assert.Equal("['it\\'s', 'a\nb', 'é']", PythonRepr.OfArgs("[\"it's\", \"a\\nb\", \"\\u00e9\"]"));

    [Fact]
    public void Json_literals_show_as_python_literals() =>
        Assert.Equal("{'a': True, 'b': False, 'c': None, 'd': 1.0}", PythonRepr.OfKwargs("{\"a\": true, \"b\": false, \"c\": null, \"d\": 1.0}"));

    [Fact]
    public void Containers_nested_three_deep_show_as_an_ellipsis() =>
        Assert.Equal("[[[[...], {...}]]]", PythonRepr.OfArgs("[[[[1], {\"a\": 1}]]]"));

    // Both results checked against Celery 5.2.6's saferepr with the same sizes.
    [Theory]
    [InlineData(8, "[1, 2, 3..., ...]")]
    [InlineData(7, "[1, 2, , ...]")]
    public void Output_is_cut_past_the_size_as_celery_cuts_it_quirks_included(int maxSize, string celery) =>
        Assert.Equal(celery, PythonRepr.OfArgs("[1, 2, 3, 4, 5]", maxSize));
}
