using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Swarm.Core.Engine;

namespace Swarm.Director.Services;

/// <summary>Turns refusals into gRPC status codes, without internal details.</summary>
internal static class RpcErrors
{
    /// <summary>A caller's text, cut to 140 characters, for an error message that names it.</summary>
    public static string Clip(string s) => s.Length <= 140 ? s : s[..140] + "...";

    [DoesNotReturn]
    public static void Invalid(string message) => throw new RpcException(new Status(StatusCode.InvalidArgument, message));

    [DoesNotReturn]
    public static void NotFound(string message) => throw new RpcException(new Status(StatusCode.NotFound, message));

    [DoesNotReturn]
    public static void Unavailable(string message) => throw new RpcException(new Status(StatusCode.Unavailable, message));

    /// <summary>Throws the status matching the first <see cref="DirectorCommand.Rejected"/> in <paramref name="commands"/>, if any.</summary>
    public static void ThrowIfRejected(IReadOnlyList<DirectorCommand> commands)
    {
        foreach (var c in commands)
        {
            if (c is DirectorCommand.Rejected r)
            {
                var code = r.Code switch
                {
                    RejectCode.InvalidArgument => StatusCode.InvalidArgument,
                    RejectCode.NotFound => StatusCode.NotFound,
                    RejectCode.FailedPrecondition => StatusCode.FailedPrecondition,
                    RejectCode.AlreadyExists => StatusCode.AlreadyExists,
                    _ => StatusCode.Unknown,
                };
                throw new RpcException(new Status(code, r.Message));
            }
        }
    }
}
