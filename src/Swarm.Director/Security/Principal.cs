using Grpc.Core;

namespace Swarm.Director.Security;

/// <summary>What a caller may do. <see cref="Submit"/> includes reading one's own workflows; <see cref="Admin"/> includes everything, for every tenant.</summary>
[Flags]
public enum Roles
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Read the own tenant's workflows, explanations and blobs.</summary>
    Read = 1,

    /// <summary>Submit, run, cancel and resubmit the own tenant's workflows (and read them).</summary>
    Submit = 2 | Read,

    /// <summary>Probes, drains, incidents, probe revocation and the audit log.</summary>
    Operator = 4,

    /// <summary>Tokens, keys and tenants; every tenant's workflows.</summary>
    Admin = 8 | Submit | Operator,

    /// <summary>A probe: its own stream and the blob store.</summary>
    Probe = 16,
}

/// <summary>An authenticated caller: an API key of a tenant, or a probe's certificate.</summary>
/// <param name="Name">key:ID, probe:ID, or local (security off).</param>
/// <param name="Tenant">The tenant an API key belongs to; empty for probes.</param>
/// <param name="Roles">What it may do.</param>
/// <param name="ProbeId">The probe id its certificate is bound to; empty for keys.</param>
public sealed record Principal(string Name, string Tenant, Roles Roles, string ProbeId)
{
    /// <summary>Every caller when security is off (loopback only, <c>--insecure-plaintext</c>).</summary>
    public static readonly Principal Local = new("local", "", Roles.Admin | Roles.Probe, "");

    private const string Key = "swarm.principal";

    /// <summary>Whether this caller holds every role in <paramref name="required"/>.</summary>
    public bool Has(Roles required) => (Roles & required) == required;

    /// <summary>Whether this caller may see and act on a tenant's workflows.</summary>
    public bool Sees(string tenant) => Has(Roles.Admin) || string.Equals(tenant, Tenant, StringComparison.Ordinal);

    /// <summary>The caller of a call the interceptor let through.</summary>
    public static Principal Of(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(Key, out var p) && p is Principal principal
            ? principal
            : throw new InvalidOperationException("no principal on this call: the authentication interceptor is not installed");
    }

    /// <summary>Attaches the caller to a call.</summary>
    public void AttachTo(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.UserState[Key] = this;
    }

    /// <summary>Parses a role name (submit, read, operator, admin).</summary>
    public static bool TryParseRole(string text, out Roles role)
    {
        role = text switch
        {
            "read" => Roles.Read,
            "submit" => Roles.Submit,
            "operator" => Roles.Operator,
            "admin" => Roles.Admin,
            _ => Roles.None,
        };
        return role != Roles.None;
    }
}
