using Google.Protobuf;
using Grpc.Core;
using Swarm.Contracts.V1;
using Swarm.Director.Connections;
using Swarm.Director.Security;
using Swarm.Storage.Security;

namespace Swarm.Director.Services;

/// <summary>Tokens, keys, probe revocation and the audit log (the interceptor has checked the roles).</summary>
public sealed class AdminApiService(Credentials credentials, SqliteSecurityStore store, ProbeConnectionRegistry connections) : AdminService.AdminServiceBase
{
    /// <inheritdoc />
    public override Task<EnrolmentToken> CreateEnrolmentToken(CreateEnrolmentTokenRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!(request.TtlSeconds is > 0 and <= 30 * 86_400))
        {
            RpcErrors.Invalid($"CreateEnrolmentTokenRequest.ttl_seconds must be above 0 and at most 30 days (2592000), got {request.TtlSeconds}");
        }

        try
        {
            var (token, expires) = credentials.CreateToken(TimeSpan.FromSeconds(request.TtlSeconds), request.Uses == 0 ? 1 : request.Uses, request.ProbeId,
                Principal.Of(context).Name);
            return Task.FromResult(new EnrolmentToken { Token = token, ExpiresUnixMs = expires.ToUnixTimeMilliseconds(), CaSha256 = credentials.Authority.Fingerprint });
        }
        catch (ArgumentException ex)
        {
            RpcErrors.Invalid(ex.Message);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task<ApiKeyCreated> CreateKey(CreateKeyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var (key, record) = credentials.CreateKey(request.Tenant, request.Roles.ToList(), request.Name);
            return Task.FromResult(new ApiKeyCreated { Key = key, Info = Info(record) });
        }
        catch (ArgumentException ex)
        {
            RpcErrors.Invalid(ex.Message);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task<RevokeKeyReply> RevokeKey(RevokeKeyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!credentials.RevokeKey(request.Id))
        {
            RpcErrors.NotFound($"no live key '{RpcErrors.Clip(request.Id)}'");
        }

        return Task.FromResult(new RevokeKeyReply());
    }

    /// <inheritdoc />
    public override Task<ListKeysReply> ListKeys(ListKeysRequest request, ServerCallContext context)
    {
        var reply = new ListKeysReply();
        reply.Keys.AddRange(credentials.ListKeys().Select(Info));
        return Task.FromResult(reply);
    }

    /// <inheritdoc />
    public override Task<RevokeProbeReply> RevokeProbe(RevokeProbeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!credentials.RevokeProbe(request.ProbeId))
        {
            RpcErrors.NotFound($"probe '{RpcErrors.Clip(request.ProbeId)}' has no live certificate");
        }

        // Cut its stream now: the engine sees it leave and re-auctions its work.
        connections.Get(request.ProbeId)?.Close("certificate revoked");
        return Task.FromResult(new RevokeProbeReply());
    }

    /// <inheritdoc />
    public override Task<ListAuditReply> ListAudit(ListAuditRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.After < 0 || request.Limit is < 0 or > 10_000)
        {
            RpcErrors.Invalid($"ListAuditRequest: after must be >= 0 and limit 0..10000 (got {request.After}, {request.Limit})");
        }

        var reply = new ListAuditReply();
        reply.Entries.AddRange(store.ListAudit(request.After, request.Limit == 0 ? 200 : request.Limit).Select(e => new AuditEntry
        {
            Seq = e.Seq,
            AtUnixMs = e.AtUnixMs,
            Principal = e.Principal,
            Tenant = e.Tenant,
            Action = e.Action,
            Target = e.Target,
            Peer = e.Peer,
            Outcome = e.Outcome,
        }));
        return Task.FromResult(reply);
    }

    private static ApiKeyInfo Info(StoredKey k)
    {
        var info = new ApiKeyInfo { Id = k.Id, Tenant = k.Tenant, Name = k.Name, CreatedUnixMs = k.CreatedUnixMs, RevokedUnixMs = k.RevokedUnixMs };
        info.Roles.AddRange(k.Roles);
        return info;
    }

}

/// <summary>Enrolment: a machine with a token gets a probe certificate. The token is the only credential.</summary>
public sealed class EnrolmentApiService(Credentials credentials) : EnrolmentService.EnrolmentServiceBase
{
    /// <summary>Largest certificate signing request accepted, bytes.</summary>
    public const int MaxCsrBytes = 16 * 1024;

    /// <inheritdoc />
    public override Task<CaCertificate> GetCaCertificate(GetCaCertificateRequest request, ServerCallContext context) =>
        Task.FromResult(new CaCertificate { CertificateDer = ByteString.CopyFrom(credentials.Authority.Certificate.RawData) });

    /// <inheritdoc />
    public override Task<EnrolReply> Enrol(EnrolRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CsrDer.Length is 0 or > MaxCsrBytes)
        {
            RpcErrors.Invalid($"EnrolRequest.csr_der must hold a PKCS#10 request of 1 to {MaxCsrBytes} bytes");
        }

        using var cert = credentials.Enrol(request.Token, request.ProbeId, request.CsrDer.ToByteArray(), out var refusal, out var problem);
        if (cert is null)
        {
            var code = refusal switch
            {
                EnrolRefusal.Malformed => StatusCode.InvalidArgument,
                EnrolRefusal.ProbeTaken => StatusCode.AlreadyExists,
                _ => StatusCode.PermissionDenied,
            };
            throw new RpcException(new Status(code, problem));
        }

        return Task.FromResult(new EnrolReply
        {
            CertificateDer = ByteString.CopyFrom(cert.RawData),
            CaCertificateDer = ByteString.CopyFrom(credentials.Authority.Certificate.RawData),
        });
    }
}
