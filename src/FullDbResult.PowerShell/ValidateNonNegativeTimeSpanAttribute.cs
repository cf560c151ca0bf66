namespace FullDbResult.PowerShell;

/// <summary>
/// Refuses a negative age, or one longer than <see cref="MaximumDays"/> days, when the parameter binds,
/// before the command touches the store: an age such as [TimeSpan]::MaxValue reaches back before the
/// calendar starts and would fail deep in the date arithmetic.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateNonNegativeTimeSpanAttribute : ValidateArgumentsAttribute
{
    /// <summary>100 years: older than any task a store holds, and far from the calendar's start.</summary>
    public const int MaximumDays = 36500;

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is not TimeSpan age) return;
        if (age < TimeSpan.Zero)
            throw new ValidationMetadataException($"The age {age} is negative; give a positive age, such as (New-TimeSpan -Hours 1).");
        if (age > TimeSpan.FromDays(MaximumDays))
            throw new ValidationMetadataException(
                $"The age {age} is longer than {MaximumDays} days (100 years); give an age up to that, such as (New-TimeSpan -Days 30).");
    }
}
