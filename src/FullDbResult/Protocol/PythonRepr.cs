using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FullDbResult.Protocol;

/// <summary>
/// Celery's argsrepr and kwargsrepr: <c>celery.utils.saferepr.saferepr</c> of the decoded JSON, ported step by step,
/// quirks included, so that a monitor shows what it would show for a Python sender.
/// </summary>
/// <remarks>
/// saferepr is not Python's repr: strings are quoted with single quotes and only a single quote is escaped;
/// containers nested three deep show as <c>[...]</c>; output is cut once it passes the size, a token may end in
/// <c>...</c> at its last space, <c>", ..."</c> is appended and only the closing brackets still pending follow,
/// which can leave an odd result such as <c>[1, 2], , ...]]</c>. Lengths count code points, as Python's len does.
/// </remarks>
internal static class PythonRepr
{
    /// <summary>Celery's <c>argsrepr_maxsize</c> and <c>kwargsrepr_maxsize</c>.</summary>
    public const int CeleryMaxSize = 1024;

    private const int MaxLevels = 3;

    private static readonly Item Separator = Item.Literal(", ", truncatable: true, direction: 0);
    private static readonly Item KeyValueSeparator = Item.Literal(": ", truncatable: true, direction: 0);

    /// <summary>Celery sends <c>args or ()</c>: empty args show as a tuple.</summary>
    public static string OfArgs(string argsJson, int maxSize = CeleryMaxSize)
    {
        using var document = JsonDocument.Parse(argsJson, new JsonDocumentOptions { MaxDepth = PythonJson.MaxDepth });
        return document.RootElement.GetArrayLength() == 0 ? "()" : SafeRepr(document.RootElement, maxSize);
    }

    public static string OfKwargs(string kwargsJson, int maxSize = CeleryMaxSize)
    {
        using var document = JsonDocument.Parse(kwargsJson, new JsonDocumentOptions { MaxDepth = PythonJson.MaxDepth });
        return SafeRepr(document.RootElement, maxSize);
    }

    /// <summary>saferepr of any JSON value: what Celery's events show of a result (<c>resultrepr_maxsize</c> is 1024 too).</summary>
    public static string OfJson(string json, int maxSize = CeleryMaxSize)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = PythonJson.MaxDepth });
        return SafeRepr(document.RootElement, maxSize);
    }

    private static string SafeRepr(JsonElement root, int maxSize)
    {
        var output = new StringBuilder();
        // What is still to be shown, innermost container on top: saferepr's chain of iterators, as lazy as it is.
        var pending = new Stack<IEnumerator<Item>>();
        pending.Push(new[] { Item.Of(root) }.AsEnumerable().GetEnumerator());
        int level = 0;
        int remaining = maxSize;
        while (pending.TryPeek(out var current))
        {
            if (!current.MoveNext())
            {
                pending.Pop();
                continue;
            }

            if (Token(current.Current, pending, ref level) is not { } token)
            {
                continue;
            }

            if (remaining <= 0)
            {
                // The token just taken is dropped, closing bracket or not; then the brackets still pending close.
                output.Append(", ...");
                foreach (var rest in pending)
                {
                    while (rest.MoveNext())
                    {
                        if (rest.Current is { Kind: ItemKind.Literal, Truncatable: false } bracket)
                        {
                            output.Append(bracket.Text);
                        }
                    }
                }

                break;
            }

            string text = Render(token, remaining);
            output.Append(text);
            remaining -= CodePoints(text);
        }

        return output.ToString();
    }

    /// <summary>The next token to show, or null when <paramref name="item"/> was a container now opened onto the stack.</summary>
    private static Item? Token(Item item, Stack<IEnumerator<Item>> pending, ref int level)
    {
        if (item.Kind == ItemKind.Literal)
        {
            level += item.Direction;
            return item;
        }

        if (item.Kind != ItemKind.Value || item.Value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return item;
        }

        if (level >= MaxLevels)
        {
            return Item.Placeholder(item.Value.ValueKind == JsonValueKind.Array ? "[...]" : "{...}");
        }

        pending.Push(Opened(item.Value).GetEnumerator());
        return null;
    }

    private static IEnumerable<Item> Opened(JsonElement container)
    {
        bool isArray = container.ValueKind == JsonValueKind.Array;
        yield return Item.Literal(isArray ? "[" : "{", truncatable: false, direction: +1);
        bool first = true;
        if (isArray)
        {
            foreach (var element in container.EnumerateArray())
            {
                if (!first)
                {
                    yield return Separator;
                }

                first = false;
                yield return Item.Of(element);
            }
        }
        else
        {
            foreach (var property in container.EnumerateObject())
            {
                if (!first)
                {
                    yield return Separator;
                }

                first = false;
                yield return Item.Key(property.Name);
                yield return KeyValueSeparator;
                yield return Item.Of(property.Value);
            }
        }

        yield return Item.Literal(isArray ? "]" : "}", truncatable: false, direction: -1);
    }

    private static string Render(Item token, int remaining) => token.Kind switch
    {
        ItemKind.Literal => token.Text,
        ItemKind.Key => Quote(token.Text, remaining),
        ItemKind.Placeholder => Truncate(token.Text, remaining),
        _ => token.Value.ValueKind switch
        {
            JsonValueKind.String => Quote(token.Value.GetString()!, remaining),
            JsonValueKind.Number => Truncate(Number(token.Value.GetRawText()), remaining),
            JsonValueKind.True => Truncate("True", remaining),
            JsonValueKind.False => Truncate("False", remaining),
            _ => Truncate("None", remaining),
        },
    };

    private static string Number(string literal)
    {
        if (literal.AsSpan().IndexOfAny('.', 'e', 'E') >= 0)
        {
            return PythonFloat.Repr(double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        // Python reads an integer literal into an int, which prints without the sign of zero.
        return literal == "-0" ? "0" : literal;
    }

    private static string Quote(string value, int remaining) => "'" + Truncate(value, remaining).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>celery.utils.text.truncate: at the limit or over, cut there, back to the last space, and add "...".</summary>
    private static string Truncate(string text, int limit)
    {
        if (CodePoints(text) < limit)
        {
            return text;
        }

        string head = FirstCodePoints(text, limit);
        int lastSpace = head.LastIndexOf(' ');
        return (lastSpace < 0 ? head : head[..lastSpace]) + "...";
    }

    private static int CodePoints(string text) => text.EnumerateRunes().Count();

    private static string FirstCodePoints(string text, int count)
    {
        int length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count-- == 0)
            {
                break;
            }

            length += rune.Utf16SequenceLength;
        }

        return text[..length];
    }

    private enum ItemKind
    {
        /// <summary>A JSON value not shown yet.</summary>
        Value,
        /// <summary>An object's property name.</summary>
        Key,
        /// <summary>Punctuation: brackets (never truncated, and always closed) and separators.</summary>
        Literal,
        /// <summary>Text that stands for a value, such as <c>[...]</c>.</summary>
        Placeholder,
    }

    private readonly record struct Item(ItemKind Kind, JsonElement Value, string Text, bool Truncatable, int Direction)
    {
        public static Item Of(JsonElement value) => new(ItemKind.Value, value, "", false, 0);

        public static Item Key(string name) => new(ItemKind.Key, default, name, false, 0);

        public static Item Literal(string text, bool truncatable, int direction) => new(ItemKind.Literal, default, text, truncatable, direction);

        public static Item Placeholder(string text) => new(ItemKind.Placeholder, default, text, false, 0);
    }
}
