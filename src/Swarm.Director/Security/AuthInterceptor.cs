using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using Swarm.Director.Hosting;

namespace Swarm.Director.Security;

/// <summary>
/// Every call passes here first: who is calling (a probe's client certificate, or an API key in
/// <c>authorization: Bearer swk...</c>), whether <see cref="AccessPolicy"/> lets them call this method, whether they
/// are within their rate (a token bucket per caller, System.Threading.RateLimiting), and afterwards an audit entry
/// with the outcome. The services then scope what they return to the caller's tenant.
/// </summary>
public sealed class AuthInterceptor : Interceptor, IDisposable
{
    private readonly Credentials? _credentials;
    private readonly AuditLog? _audit;
    private readonly bool _off;
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the interceptor (credentials and audit are absent when security is off).</summary>
    public AuthInterceptor(IOptions<DirectorOptions> options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        var o = options.Value;
        _off = o.InsecurePlaintext;
        if (!_off)
        {
            _credentials = (Credentials)services.GetService(typeof(Credentials))!;
            _audit = (AuditLog)services.GetService(typeof(AuditLog))!;
        }

        var perSecond = o.RateLimitPerSecond;
        var burst = o.RateLimitBurst;
        // Refill ten times a second, or once per token when the rate is below ten a second.
        var period = perSecond >= 10 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1 / perSecond);
        var tokens = perSecond >= 10 ? (int)Math.Ceiling(perSecond / 10) : 1;
        _limiter = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <inheritdoc />
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var principal = Admit(context);
        return AuditedAsync(principal, context, () => continuation(request, context), _ => TargetOf(request), "ok");
    }

    /// <inheritdoc />
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var principal = Admit(context);
        return AuditedAsync(principal, context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        }, _ => TargetOf(request), "ok");
    }

    /// <inheritdoc />
    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var principal = Admit(context);
        return AuditedAsync(principal, context, () => continuation(requestStream, context), TargetOf, "ok");
    }

    /// <inheritdoc />
    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var principal = Admit(context);
        Audit(principal, context, principal.ProbeId, "connected");
        return AuditedAsync(principal, context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        }, _ => principal.ProbeId, "ended");
    }

    /// <summary>
    /// Runs an admitted call and audits how it ended (<paramref name="ended"/>, the gRPC status, or the error's type);
    /// a message that is not valid protobuf of its type, met while reading a request stream, becomes InvalidArgument.
    /// </summary>
    private async Task<T> AuditedAsync<T>(Principal principal, ServerCallContext context, Func<Task<T>> call, Func<T?, string> target, string ended)
    {
        var outcome = ended;
        T? result = default;
        try
        {
            result = await call().ConfigureAwait(false);
            return result;
        }
        catch (RpcException ex)
        {
            outcome = Describe(ex);
            throw;
        }
        catch (InvalidProtocolBufferException ex)
        {
            outcome = "InvalidArgument: malformed message";
            throw Malformed(ex);
        }
        catch (Exception ex)
        {
            outcome = "error: " + ex.GetType().Name;
            throw;
        }
        finally
        {
            Audit(principal, context, target(result), outcome);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();

    /// <summary>Authenticates, authorises and rate-limits a call; throws the gRPC error that refuses it.</summary>
    private Principal Admit(ServerCallContext context)
    {
        if (_off)
        {
            Principal.Local.AttachTo(context);
            return Principal.Local;
        }

        var method = context.Method;
        // The caller's address is limited before any credential is looked up, so a flood of made-up keys costs the
        // store nothing past the limit; refusals for the rate are not audited one by one.
        if (!TryAcquire("peer:" + PeerHost(context.Peer)))
        {
            throw RateLimited("peer " + PeerHost(context.Peer));
        }

        var principal = Authenticate(context, out var presented);
        if (!AccessPolicy.Methods.TryGetValue(method, out var need))
        {
            Refuse(principal, context, "permission denied: no access rule for this method");
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method} has no access rule; refused"));
        }

        if (principal is null && !need.Anonymous)
        {
            var why = presented.Length > 0 ? presented : "no credentials";
            Refuse(null, context, "unauthenticated: " + why);
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"{method} needs an API key (authorization: Bearer swk...; see swarm key create) or a probe certificate: {why}"));
        }

        if (!need.Allows(principal))
        {
            Refuse(principal, context, "permission denied");
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{method} needs the {need.Describe()} role; {principal!.Name} does not have it"));
        }

        if (principal is not null && !TryAcquire(principal.Name))
        {
            throw RateLimited(principal.Name);
        }

        var p = principal ?? new Principal("anonymous", "", Roles.None, "");
        p.AttachTo(context);
        return p;
    }

    private bool TryAcquire(string caller)
    {
        using var lease = _limiter.AttemptAcquire(caller);
        return lease.IsAcquired;
    }

    private static RpcException RateLimited(string caller) =>
        new(new Status(StatusCode.ResourceExhausted, $"rate limit exceeded for {caller}; slow down and retry"));

    private Principal? Authenticate(ServerCallContext context, out string problem)
    {
        problem = "";
        var http = context.GetHttpContext();
        if (http.Connection.ClientCertificate is X509Certificate2 cert)
        {
            var id = _credentials!.ProbeOf(cert);
            if (id is not null)
            {
                return new Principal("probe:" + id, "", Roles.Probe, id);
            }

            problem = "the client certificate is revoked or replaced";
            return null;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
        {
            return null;
        }

        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        var principal = key.Length > 0 ? _credentials!.Authenticate(key) : null;
        if (principal is null)
        {
            problem = key.Length > 0 ? "the API key is unknown, wrong or revoked" : "the authorization header is not 'Bearer <key>'";
        }

        return principal;
    }

    private void Refuse(Principal? principal, ServerCallContext context, string outcome) => Audit(principal, context, "", outcome);

    private void Audit(Principal? principal, ServerCallContext context, string target, string outcome) =>
        _audit?.Record(principal?.Name ?? "anonymous", principal?.Tenant ?? "", context.Method.TrimStart('/'), target, context.Peer, outcome);

    private static string Describe(RpcException ex) => $"{ex.StatusCode}: {ex.Status.Detail}";

    private static RpcException Malformed(InvalidProtocolBufferException ex) =>
        new(new Status(StatusCode.InvalidArgument, "a message on this stream is not valid protobuf of its type: " + ex.Message));

    /// <summary>The workflow, probe or key a request names, for the audit entry.</summary>
    private static string TargetOf(object? message)
    {
        if (message is not IMessage m)
        {
            return "";
        }

        foreach (var name in (ReadOnlySpan<string>)["workflow_id", "probe_id", "id", "sha256", "tenant"])
        {
            if (m.Descriptor.FindFieldByName(name)?.Accessor.GetValue(m) is string { Length: > 0 } v)
            {
                return name + "=" + v;
            }
        }

        return "";
    }

    private static string PeerHost(string peer)
    {
        var colon = peer.LastIndexOf(':');
        return colon > 0 ? peer[..colon] : peer;
    }
}
