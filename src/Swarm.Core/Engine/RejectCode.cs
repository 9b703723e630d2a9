namespace Swarm.Core.Engine;

/// <summary>Why the engine refused a request.</summary>
public enum RejectCode
{
    /// <summary>The request is malformed (bad spec, bad id).</summary>
    InvalidArgument = 1,

    /// <summary>The named workflow or probe does not exist.</summary>
    NotFound,

    /// <summary>The request does not fit the current state.</summary>
    FailedPrecondition,

    /// <summary>An id is already taken.</summary>
    AlreadyExists,
}
