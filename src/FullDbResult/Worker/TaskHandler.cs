using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;

namespace FullDbResult.Worker;

/// <summary>
/// A registered delegate and how to call it from a message: positional args fill its parameters in order,
/// then kwargs fill the rest by name, each converted by System.Text.Json. A parameter of type
/// <see cref="TaskContext"/> or <see cref="CancellationToken"/> is supplied by the worker.
/// </summary>
internal sealed class TaskHandler
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private readonly string _name;
    private readonly Delegate _handler;
    private readonly ParameterInfo[] _parameters;
    private readonly ParameterInfo[] _bound;

    public TaskHandler(string name, Delegate handler, TaskHandlerOptions options)
    {
        _name = name;
        Options = options;
        _handler = handler;
        _parameters = handler.Method.GetParameters();
        _bound = _parameters.Where(p => !IsSupplied(p.ParameterType)).ToArray();
    }

    public TaskHandlerOptions Options { get; }

    /// <summary>
    /// Runs the handler and returns its result, awaited when it is a task. An exception that
    /// <see cref="TaskHandlerOptions.AutoRetryFor"/> names comes out as a <see cref="TaskRetryException"/>.
    /// </summary>
    /// <exception cref="TaskArgumentException">The arguments do not bind.</exception>
    public async Task<object?> InvokeAsync(string argsJson, string kwargsJson, TaskContext context)
    {
        try
        {
            return await InvokeHandlerAsync(argsJson, kwargsJson, context);
        }
        catch (Exception ex) when (AutoRetry.Applies(Options, ex))
        {
            throw AutoRetry.Retry(Options, ex, context.Retries);
        }
    }

    private async Task<object?> InvokeHandlerAsync(string argsJson, string kwargsJson, TaskContext context)
    {
        var values = Bind(argsJson, kwargsJson, context);
        object? returned;
        try
        {
            returned = _handler.DynamicInvoke(values);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
        return returned switch
        {
            Task task => await Awaited(task),
            ValueTask valueTask => await Awaited(valueTask.AsTask()),
            _ when returned?.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ValueTask<>) =>
                await Awaited((Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!),
            _ => returned,
        };
    }

    private static async Task<object?> Awaited(Task task)
    {
        await task;
        var type = task.GetType();
        // An async method returning plain Task is a Task<VoidTaskResult> underneath: that is no result.
        return type.IsGenericType && type.GetGenericArguments()[0].Name != "VoidTaskResult"
            ? type.GetProperty(nameof(Task<int>.Result))!.GetValue(task)
            : null;
    }

    private object?[] Bind(string argsJson, string kwargsJson, TaskContext context)
    {
        using var args = JsonDocument.Parse(argsJson);
        using var kwargs = JsonDocument.Parse(kwargsJson);
        var positional = args.RootElement.EnumerateArray().ToList();
        if (positional.Count > _bound.Length)
            throw new TaskArgumentException($"{_name} takes {_bound.Length} positional arguments but {positional.Count} were given.");
        var named = kwargs.RootElement.EnumerateObject().ToList();
        var unknown = named.Where(k => !_bound.Any(p => string.Equals(p.Name, k.Name, StringComparison.OrdinalIgnoreCase))).Select(k => k.Name).ToList();
        if (unknown.Count > 0)
            throw new TaskArgumentException($"{_name} got unexpected keyword arguments: {string.Join(", ", unknown)}.");

        var values = new object?[_parameters.Length];
        var next = 0;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            if (parameter.ParameterType == typeof(TaskContext)) { values[i] = context; continue; }
            if (parameter.ParameterType == typeof(CancellationToken)) { values[i] = context.CancellationToken; continue; }
            var position = next++;
            var keyword = named.FirstOrDefault(k => string.Equals(k.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (position < positional.Count && keyword.Value.ValueKind != JsonValueKind.Undefined)
                throw new TaskArgumentException($"{_name} got multiple values for argument '{parameter.Name}'.");
            if (position < positional.Count) values[i] = Convert(positional[position], parameter, $"args[{position}]");
            else if (keyword.Value.ValueKind != JsonValueKind.Undefined) values[i] = Convert(keyword.Value, parameter, $"kwargs['{keyword.Name}']");
            else if (parameter.HasDefaultValue) values[i] = parameter.DefaultValue;
            else throw new TaskArgumentException($"{_name} is missing the required argument '{parameter.Name}'.");
        }
        return values;
    }

    private object? Convert(JsonElement value, ParameterInfo parameter, string source)
    {
        try
        {
            var converted = value.Deserialize(parameter.ParameterType, Json);
            if (converted is null && parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
                throw new JsonException("null is not a value of a value type.");
            return converted;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new TaskArgumentException(
                $"{_name}: {source} = {Shorten(value.GetRawText())} does not bind to parameter '{parameter.Name}' of type {parameter.ParameterType.Name}: {ex.Message}", ex);
        }
    }

    private static bool IsSupplied(Type type) => type == typeof(TaskContext) || type == typeof(CancellationToken);

    private static string Shorten(string json) => json.Length <= 80 ? json : json[..77] + "...";
}
