using System.Collections;

namespace FullDbResult.PowerShell;

/// <summary>
/// Lets a task id or name parameter take text only: strings, GUIDs and numbers as they are, and objects by
/// their id or name property (a task record's TaskId, a periodic task's Name). Anything else is refused with
/// an error record. PowerShell would otherwise turn any piped object into its ToString() text, so a session
/// piped into Stop-Task became a task id.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TextArgumentAttribute(string propertyName) : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (Unwrap(inputData) is IEnumerable items and not string)
        {
            var texts = new List<object?>();
            foreach (var item in items) texts.Add(TextOf(item));
            return texts.ToArray();
        }
        return TextOf(inputData);
    }

    private object? TextOf(object? input)
    {
        var value = Unwrap(input);
        if (value is null || IsText(value)) return value;
        var property = PSObject.AsPSObject(input).Properties[propertyName];
        if (property is not null && Unwrap(property.Value) is { } named && IsText(named)) return named;
        throw new ArgumentTransformationMetadataException(
            $"A {value.GetType().Name} is not a {propertyName}: give the text, or pipe objects that have a {propertyName} property.");
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static bool IsText(object value) => value is string or Guid or decimal || value.GetType().IsPrimitive;
}
