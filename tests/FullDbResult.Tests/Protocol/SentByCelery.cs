using FullDbResult.Protocol;

namespace FullDbResult.Tests.Protocol;

/// <summary>
/// Each vector's <c>send_task</c> call as a TaskMessage, and the moment Celery sent it. Relative times
/// (countdown, expires in seconds) become the absolute times Celery computed; the ids are the ones it generated.
/// </summary>
internal static class SentByCelery
{
    private static readonly DateTimeOffset AnyTime = new(2026, 11, 23, 19, 46, 48, TimeSpan.Zero);

    public static readonly IReadOnlyDictionary<string, (TaskMessage Call, DateTimeOffset SentAt)> Calls =
        new Dictionary<string, (TaskMessage, DateTimeOffset)>
        {
            // app.send_task('proj.add', args=[2, 3], kwargs={'z': 1})
            ["send_task_basic"] = (AddTwoAndThree("f679e67a-9251-4fb6-87c9-9be1f0610c09"), AnyTime),

            // countdown=60
            ["send_task_countdown60"] = (
                AddTwoAndThree("8c1a9be8-ab7b-405e-8428-5da196753a98") with { Eta = Utc(2026, 11, 23, 19, 47, 48, 762199) },
                AnyTime),

            // expires=300: the header says when, the expiration property says 300000 ms from the send
            ["send_task_expires_seconds"] = (
                AddTwoAndThree("9e88fdab-f2cf-4f34-93e6-7a33e27cbb21") with { Expires = Utc(2026, 11, 23, 19, 51, 48, 867195) },
                Utc(2026, 11, 23, 19, 51, 48, 867195).AddSeconds(-300)),

            // eta=datetime(2030, 1, 2, 3, 4, 5, 678901, utc), expires=datetime(2030, 1, 2, 4, 4, 5, utc),
            // sent 98093836.130 s before that expiry, as its expiration property tells
            ["send_task_eta_expires_datetime"] = (
                AddTwoAndThree("6a0dc550-1cd9-4e0e-a9bc-007c191b90dd") with
                {
                    Eta = Utc(2030, 1, 2, 3, 4, 5, 678901),
                    Expires = Utc(2030, 1, 2, 4, 4, 5, 0),
                },
                Utc(2030, 1, 2, 4, 4, 5, 0).AddMilliseconds(-98093836130)),

            // task_id='11111111-2222-3333-4444-555555555555'
            ["send_task_task_id"] = (AddTwoAndThree("11111111-2222-3333-4444-555555555555"), AnyTime),

            // queue='other'
            ["send_task_queue_other"] = (AddTwoAndThree("740b9234-8d39-4707-b5ea-fadd25395c0d") with { RoutingKey = "other" }, AnyTime),

            // priority=5, time_limit=30, soft_time_limit=20, ignore_result=True, shadow='proj.add_shadow', headers={'x_custom': 'hello'}
            ["send_task_priority_timelimits"] = (
                AddTwoAndThree("2dbccfd9-bc60-45a6-a74d-d694ff37e4dc") with
                {
                    Priority = 5,
                    TimeLimitHard = 30,
                    TimeLimitSoft = 20,
                    IgnoreResult = true,
                    Shadow = "proj.add_shadow",
                    Headers = new Dictionary<string, object?> { ["x_custom"] = "hello" },
                },
                AnyTime),

            // app.send_task('proj.add')
            ["send_task_no_args"] = (new TaskMessage { Id = "dbbc084b-a4b3-421c-af05-f0b2af49069a", Name = "proj.add" }, AnyTime),
        };

    private static TaskMessage AddTwoAndThree(string id) => new() { Id = id, Name = "proj.add", Args = "[2, 3]", Kwargs = "{\"z\": 1}" };

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second, int microsecond) =>
        new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(microsecond * TimeSpan.TicksPerMicrosecond);
}
