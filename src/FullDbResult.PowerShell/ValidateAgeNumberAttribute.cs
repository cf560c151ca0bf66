namespace FullDbResult.PowerShell;

/// <summary>
/// Refuses an age in days, hours or minutes that is not a number (NaN), infinite, negative or longer than
/// 100 years, when the parameter binds. ValidateRange lets NaN through, and TimeSpan then fails with a
/// message that names neither the parameter nor the fix.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateAgeNumberAttribute(double maximum) : ValidateArgumentsAttribute
{
    public double Maximum { get; } = maximum;

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is not double age) return;
        if (double.IsNaN(age) || double.IsInfinity(age) || age < 0 || age > Maximum)
            throw new ValidationMetadataException($"The age {age} is not a number from 0 to {Maximum}; give one in that range, such as 1.");
    }
}
