namespace Swarm.Director.Security;

/// <summary>
/// Which callers may call each RPC, by full method name. A method missing here is refused to everyone (default deny),
/// so a new RPC cannot be reachable by accident; a test walks every method of every service in the protos.
/// </summary>
public static class AccessPolicy
{
    /// <summary>What a method needs: anyone (the request carries its own proof), or any one of these roles.</summary>
    /// <param name="Anonymous">Callable without credentials (enrolment: the token is the proof).</param>
    /// <param name="AnyOf">Roles any one of which suffices.</param>
    public sealed record Requirement(bool Anonymous, IReadOnlyList<Roles> AnyOf)
    {
        /// <summary>Whether <paramref name="principal"/> may call.</summary>
        public bool Allows(Principal? principal) => Anonymous || (principal is not null && AnyOf.Any(principal.Has));

        /// <summary>The roles, for an error message.</summary>
        public string Describe() => Anonymous ? "anyone" : string.Join(" or ", AnyOf.Select(r => r.ToString().ToLowerInvariant()));
    }

    private static readonly Requirement Anyone = new(true, []);

    private static Requirement Of(params Roles[] roles) => new(false, roles);

    /// <summary>Every method and what it needs.</summary>
    public static readonly IReadOnlyDictionary<string, Requirement> Methods = new Dictionary<string, Requirement>(StringComparer.Ordinal)
    {
        ["/swarm.v1.SwarmService/Submit"] = Of(Roles.Submit),
        ["/swarm.v1.SwarmService/Run"] = Of(Roles.Submit),
        ["/swarm.v1.SwarmService/Resubmit"] = Of(Roles.Submit),
        ["/swarm.v1.SwarmService/Cancel"] = Of(Roles.Submit),
        ["/swarm.v1.SwarmService/Watch"] = Of(Roles.Read),
        ["/swarm.v1.SwarmService/GetWorkflow"] = Of(Roles.Read),
        ["/swarm.v1.SwarmService/ListWorkflows"] = Of(Roles.Read),
        ["/swarm.v1.SwarmService/Explain"] = Of(Roles.Read),
        ["/swarm.v1.SwarmService/ListProbes"] = Of(Roles.Operator),
        ["/swarm.v1.SwarmService/DrainProbe"] = Of(Roles.Operator),
        ["/swarm.v1.SwarmService/ListIncidents"] = Of(Roles.Operator),
        ["/swarm.v1.BlobService/Put"] = Of(Roles.Submit, Roles.Probe),
        ["/swarm.v1.BlobService/Get"] = Of(Roles.Read, Roles.Probe),
        ["/swarm.v1.BlobService/Stat"] = Of(Roles.Read, Roles.Probe),
        ["/swarm.v1.ProbeService/Connect"] = Of(Roles.Probe),
        ["/swarm.v1.AdminService/CreateEnrolmentToken"] = Of(Roles.Admin),
        ["/swarm.v1.AdminService/CreateKey"] = Of(Roles.Admin),
        ["/swarm.v1.AdminService/RevokeKey"] = Of(Roles.Admin),
        ["/swarm.v1.AdminService/ListKeys"] = Of(Roles.Admin),
        ["/swarm.v1.AdminService/RevokeProbe"] = Of(Roles.Operator),
        ["/swarm.v1.AdminService/ListAudit"] = Of(Roles.Operator),
        ["/swarm.v1.EnrolmentService/GetCaCertificate"] = Anyone,
        ["/swarm.v1.EnrolmentService/Enrol"] = Anyone,
    };
}
