using System.Collections.Frozen;

namespace FullDbResult.Protocol;

/// <summary>The header names of a Celery 5.2 task message, in the order Celery writes them.</summary>
internal static class CeleryHeaders
{
    public const string Lang = "lang";
    public const string TaskName = "task";
    public const string Id = "id";
    public const string Shadow = "shadow";
    public const string Eta = "eta";
    public const string Expires = "expires";
    public const string Group = "group";
    public const string GroupIndex = "group_index";
    public const string Retries = "retries";
    public const string TimeLimit = "timelimit";
    public const string RootId = "root_id";
    public const string ParentId = "parent_id";
    public const string ArgsRepr = "argsrepr";
    public const string KwargsRepr = "kwargsrepr";
    public const string Origin = "origin";
    public const string IgnoreResult = "ignore_result";

    /// <summary>Set by kombu when the producer compressed the body.</summary>
    public const string Compression = "compression";

    /// <summary>Names a custom header may not take, and that a decoded message does not carry as custom.</summary>
    public static readonly FrozenSet<string> Reserved = new[]
    {
        Lang, TaskName, Id, Shadow, Eta, Expires, Group, GroupIndex, Retries, TimeLimit,
        RootId, ParentId, ArgsRepr, KwargsRepr, Origin, IgnoreResult, Compression,
    }.ToFrozenSet(StringComparer.Ordinal);
}
