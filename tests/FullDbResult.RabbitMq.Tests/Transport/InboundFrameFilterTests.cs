using System.Text;
using Xunit;
using static FullDbResult.RabbitMq.Tests.Transport.AmqpFrameBuilder;

namespace FullDbResult.RabbitMq.Tests.Transport;

/// <summary>
/// What the broker sends passes through <see cref="InboundFrameFilter"/> with every 64-bit integer tag <c>L</c>
/// in a field table turned into <c>l</c>, and every other byte as it came, whatever the read boundaries.
/// Expected bytes are the same frames written with <c>l</c> in the first place.
/// </summary>
public sealed class InboundFrameFilterTests
{
    private const int LongTagsInConversation = 9;

    [Fact]
    public void Every_L_tag_in_server_properties_and_message_headers_becomes_l_and_nothing_else_changes()
    {
        var (input, expected) = (Conversation('L'), Conversation('l'));
        Assert.NotEqual(expected, input);

        var (output, rewritten) = Filter(input, [input.Length]);

        Assert.Equal(expected, output);
        Assert.Equal(LongTagsInConversation, rewritten);
    }

    [Fact]
    public void The_rewrite_is_the_same_when_the_bytes_arrive_in_two_reads_split_at_every_offset()
    {
        var (input, expected) = (Conversation('L'), Conversation('l'));
        for (var split = 1; split < input.Length; split++)
        {
            var (output, rewritten) = Filter(input, [split, input.Length - split]);
            Assert.True(expected.SequenceEqual(output), $"split at {split}");
            Assert.Equal(LongTagsInConversation, rewritten);
        }
    }

    [Fact]
    public void The_rewrite_is_the_same_when_a_content_header_arrives_in_three_reads_split_at_every_pair_of_offsets()
    {
        var (input, expected) = (HeaderFrame('L'), HeaderFrame('l'));
        for (var first = 1; first < input.Length; first++)
        {
            for (var second = first + 1; second < input.Length; second++)
            {
                var (output, _) = Filter(input, [first, second - first, input.Length - second]);
                Assert.True(expected.SequenceEqual(output), $"splits at {first} and {second}");
            }
        }
    }

    [Fact]
    public void The_rewrite_is_the_same_when_the_bytes_arrive_one_at_a_time_or_in_random_reads()
    {
        var (input, expected) = (Conversation('L'), Conversation('l'));
        Assert.Equal(expected, Filter(input, Enumerable.Repeat(1, input.Length)).Output);
        var random = new Random(11);
        for (var run = 0; run < 500; run++)
        {
            var sizes = new List<int>();
            for (var left = input.Length; left > 0; left -= sizes[^1]) sizes.Add(Math.Min(left, random.Next(1, 64)));
            Assert.True(expected.SequenceEqual(Filter(input, sizes, random.Next(1, 100)).Output), $"run {run}: reads of {string.Join(",", sizes)}");
        }
    }

    [Fact]
    public void A_content_header_larger_than_the_read_buffer_is_held_whole_and_rewritten_past_its_long_strings()
    {
        string big = new('L', 100_000);
        byte[] Frames(char tag)
        {
            var b = new AmqpFrameBuilder(tag);
            var headers = b.Table([("text", LongStringValue(big)), ("bytes", Bytes(Encoding.ASCII.GetBytes(big))), ("after", b.Long(1L << 40))]);
            return [.. Frame(1, 1, BasicDeliver("ctag", 1, "q")), .. Frame(2, 1, ContentHeader(2, headers)), .. Frame(3, 1, "{}"u8.ToArray())];
        }

        var (input, expected) = (Frames('L'), Frames('l'));
        foreach (var read in new[] { input.Length, 4096, 1000, 7 })
        {
            var (output, rewritten) = Filter(input, Enumerable.Repeat(read, input.Length / read + 1).Select((size, i) => Math.Min(size, input.Length - i * read)).Where(size => size > 0));
            Assert.True(expected.SequenceEqual(output), $"reads of {read}");
            Assert.Equal(1, rewritten);
        }
    }

    [Fact]
    public void Body_and_heartbeat_frames_pass_unchanged_even_when_their_bytes_look_like_a_content_header()
    {
        var b = new AmqpFrameBuilder('L');
        var lookalike = Frame(2, 1, ContentHeader(1, b.Table([("big", b.Long(7))])));
        byte[] input = [.. Frame(3, 1, lookalike), .. Frame(8, 0, []), .. Frame(3, 1, new byte[70_000])];

        var (output, rewritten) = Filter(input, [5, 3, 100, input.Length - 108]);

        Assert.Equal(input, output);
        Assert.Equal(0, rewritten);
    }

    [Fact]
    public void A_protocol_version_reply_passes_through_unchanged()
    {
        var b = new AmqpFrameBuilder('L');
        byte[] input = [.. "AMQP\0\0\u0009\u0001"u8, .. Frame(2, 1, ContentHeader(1, b.Table([("big", b.Long(7))])))];

        var (output, rewritten) = Filter(input, [3, input.Length - 3]);

        Assert.Equal(input, output);
        Assert.Equal(0, rewritten);
    }

    [Theory]
    [InlineData((byte)'Z')]
    [InlineData((byte)'S')]
    public void A_tag_it_does_not_know_or_a_length_past_its_table_stops_the_walk_and_leaves_the_rest_as_it_came(byte badTag)
    {
        byte[] Frames(char laterTag)
        {
            var b = new AmqpFrameBuilder('l');
            // 'S' with a length of 0xFFFFFFFF runs past the table; 'Z' is no tag at all.
            var bad = new byte[] { badTag, 0xFF, 0xFF, 0xFF, 0xFF };
            return Frame(2, 1, ContentHeader(1, b.Table([("first", b.Long(1)), ("bad", bad), ("later", [(byte)laterTag, 0, 0, 0, 0, 0, 0, 0, 2])])));
        }

        var expected = Frames('L');
        var input = (byte[])expected.Clone();
        var firstTag = Encoding.ASCII.GetString(input).IndexOf("first", StringComparison.Ordinal) + "first".Length;
        input[firstTag] = (byte)'L';

        var (output, rewritten) = Filter(input, [input.Length]);

        Assert.Equal(expected, output);
        Assert.Equal(1, rewritten);
    }

    /// <summary>
    /// Server properties with a 64-bit integer, two deliveries (method, content header with nested tables and
    /// arrays and every other tag, body), and a heartbeat between them.
    /// </summary>
    private static byte[] Conversation(char longTag)
    {
        var b = new AmqpFrameBuilder(longTag);
        var start = b.ConnectionStart([("product", LongStringValue("RabbitMQ")), ("cluster_size", b.Long(1L << 33))]);
        byte[] body = "[[2, 3], {}, {}]"u8.ToArray();
        return
        [
            .. Frame(1, 0, start),
            .. Frame(1, 1, BasicDeliver("ctag-L", 1, "celery")),
            .. HeaderFrame(longTag),
            .. Frame(3, 1, body),
            .. Frame(8, 0, []),
            .. Frame(1, 1, BasicDeliver("ctag-L", 2, "celery")),
            .. Frame(2, 1, ContentHeader((ulong)body.Length, b.Table([("long text", LongStringValue(new string('L', 300))), ("big", b.Long(-(1L << 40)))]), correlationId: "LLLL")),
            .. Frame(3, 1, body),
        ];
    }

    /// <summary>A content header whose headers hold 64-bit integers at the top, in nested tables and arrays, among every other tag.</summary>
    private static byte[] HeaderFrame(char longTag)
    {
        var b = new AmqpFrameBuilder(longTag);
        var headers = b.Table(
        [
            ("big", b.Long(1L << 40)),
            .. EveryOtherTag().Select((value, i) => ($"other{i}", value)),
            ("nested", b.NestedTable(
                ("inner", b.Long(long.MaxValue)),
                ("deeper", b.NestedArray(b.Long(1), b.NestedTable(("x", b.Long(2))), b.NestedArray())))),
            ("list", b.NestedArray([b.Long(3), LongStringValue("L"), .. EveryOtherTag(), b.Long(4)])),
            ("empty", b.NestedTable()),
            ("last", b.Long(long.MinValue)),
        ]);
        return Frame(2, 1, ContentHeader(42, headers, contentType: "L/L"));
    }

    /// <summary>Feeds <paramref name="input"/> in reads of <paramref name="readSizes"/> and takes the output in pieces of <paramref name="deliverSize"/>.</summary>
    private static (byte[] Output, int Rewritten) Filter(byte[] input, IEnumerable<int> readSizes, int deliverSize = 4096)
    {
        var filter = new InboundFrameFilter();
        var output = new List<byte>();
        var piece = new byte[deliverSize];
        var offset = 0;
        void Drain()
        {
            while (filter.HasOutput) output.AddRange(piece.AsSpan(0, filter.Deliver(piece)).ToArray());
        }

        foreach (var size in readSizes)
        {
            var left = size;
            while (left > 0)
            {
                var free = filter.GetFreeSpace().Span;
                var count = Math.Min(left, free.Length);
                input.AsSpan(offset, count).CopyTo(free);
                filter.Commit(count);
                (offset, left) = (offset + count, left - count);
                Drain();
            }
        }

        Assert.Equal(input.Length, offset);
        filter.Complete();
        Drain();
        return (output.ToArray(), filter.Rewritten);
    }
}
