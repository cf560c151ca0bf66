using System.Management.Automation;

namespace FullDbResult.PowerShell;

/// <summary>Refuses a negative age when the parameter binds, before the command touches the store.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateNonNegativeTimeSpanAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is TimeSpan age && age < TimeSpan.Zero)
            throw new ValidationMetadataException($"The age {age} is negative; give a positive age, such as (New-TimeSpan -Hours 1).");
    }
}
