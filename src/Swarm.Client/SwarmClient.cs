using System.Runtime.CompilerServices;
using Grpc.Core;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Swarm.Contracts.Security;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;

namespace Swarm.Client;

/// <summary>The C# client of a director: submit, watch, inspect, explain, cancel, list probes, drain.</summary>
public sealed class SwarmClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly SwarmService.SwarmServiceClient _client;
    private readonly AdminService.AdminServiceClient _admin;
    private readonly X509Certificate2? _ca;

    /// <summary>Connects (lazily) to the director at <paramref name="address"/> with what the environment gives (see <see cref="SwarmClientOptions.Resolve"/>).</summary>
    public SwarmClient(string address)
        : this(SwarmClientOptions.Resolve(address))
    {
    }

    /// <summary>Connects (lazily) to a director.</summary>
    public SwarmClient(SwarmClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _ca = options.CaCertificatePath.Length > 0 ? X509CertificateLoader.LoadCertificate(PemOrDer(options.CaCertificatePath)) : null;
        var secure = options.Address.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var retry = new MethodConfig
        {
            Names = { new MethodName { Service = "swarm.v1.SwarmService" }, new MethodName { Service = "swarm.v1.BlobService", Method = "Get" }, new MethodName { Service = "swarm.v1.BlobService", Method = "Stat" } },
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = Math.Max(1, options.MaxAttempts),
                InitialBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(5),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        var channelOptions = new GrpcChannelOptions
        {
            MaxReceiveMessageSize = options.MaxMessageBytes,
            MaxSendMessageSize = options.MaxMessageBytes,
            HttpHandler = PinnedTrust.Handler(_ca),
            ServiceConfig = new ServiceConfig { MethodConfigs = { retry } },
        };
        if (secure && options.ApiKey.Length > 0)
        {
            var key = options.ApiKey;
            channelOptions.Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + key);
                return Task.CompletedTask;
            }));
        }

        _channel = GrpcChannel.ForAddress(options.Address, channelOptions);
        _client = new SwarmService.SwarmServiceClient(_channel);
        _admin = new AdminService.AdminServiceClient(_channel);
    }

    /// <summary>What this client was made with.</summary>
    public SwarmClientOptions Options { get; }

    /// <summary>The channel (for the blob client and raw stubs).</summary>
    public GrpcChannel Channel => _channel;

    private DateTime Deadline => DateTime.UtcNow + Options.CallTimeout;

    /// <summary>
    /// Submits a workflow; returns its id once it is durable. The call carries a fresh request id, so the retries gRPC makes after a lost reply return the same workflow.
    /// </summary>
    public Task<string> SubmitAsync(Core.Model.WorkflowSpec spec, CancellationToken ct = default) => SubmitAsync(spec, NewRequestId(), ct);

    /// <summary>Submits a workflow under the caller's own request id: the same id, the same workflow, however often it is sent.</summary>
    public Task<string> SubmitAsync(Core.Model.WorkflowSpec spec, string requestId, CancellationToken ct = default) =>
        SubmitAsync(ProtoMapper.ToProto(spec), requestId, ct);

    /// <summary>Submits a raw wire spec (used to test the director's own validation).</summary>
    public Task<string> SubmitAsync(Contracts.V1.WorkflowSpec spec, CancellationToken ct = default) => SubmitAsync(spec, NewRequestId(), ct);

    /// <summary>Submits a raw wire spec under a request id.</summary>
    public async Task<string> SubmitAsync(Contracts.V1.WorkflowSpec spec, string requestId, CancellationToken ct = default)
    {
        var reply = await _client.SubmitAsync(new SubmitRequest { Spec = spec, RequestId = requestId ?? "" }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);
        return reply.WorkflowId;
    }

    /// <summary>A request id for one logical submission.</summary>
    public static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    private static byte[] PemOrDer(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(text).RawData
            : File.ReadAllBytes(path);
    }

    /// <summary>
    /// Submits a workflow and waits for its end on one call (the lowest-latency path: no separate watch or fetch);
    /// returns the final status with the outputs. The director answers first with the new workflow's id once it is
    /// durable; if the call breaks after that (a director restart), the wait goes on through <see cref="WaitAsync"/>.
    /// </summary>
    /// <param name="spec">The workflow.</param>
    /// <param name="progress">Called with a status after each change (null: only the end is sent, the fastest).</param>
    /// <param name="ct">Cancels the wait (not the workflow).</param>
    public async Task<WorkflowStatus> RunAsync(Core.Model.WorkflowSpec spec, Action<WorkflowStatus>? progress = null, CancellationToken ct = default)
    {
        var id = "";
        try
        {
            using var call = _client.Run(new RunRequest { Spec = ProtoMapper.ToProto(spec), Progress = progress is not null, RequestId = NewRequestId() }, cancellationToken: ct);
            await foreach (var s in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                id = s.WorkflowId;
                progress?.Invoke(s);
                if (s.State != Contracts.V1.WorkflowState.Running)
                {
                    return s;
                }
            }
        }
        catch (RpcException ex) when (id.Length > 0 && ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && !ct.IsCancellationRequested)
        {
            // The workflow is durable: follow it by id below.
        }

        if (id.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the director ended the run call before accepting the workflow"));
        }

        return await WaitAsync(id, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Streams status updates until the workflow ends.</summary>
    public async IAsyncEnumerable<WorkflowStatus> WatchAsync(string workflowId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var call = _client.Watch(new WatchRequest { WorkflowId = workflowId }, cancellationToken: ct);
        await foreach (var s in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
        {
            yield return s;
        }
    }

    /// <summary>
    /// Waits until the workflow ends, reconnecting if the director restarts; returns the final status with outputs.
    /// Throws the last <see cref="RpcException"/> once the director has been unreachable for <see cref="SwarmClientOptions.ReconnectFor"/>.
    /// </summary>
    public async Task<WorkflowStatus> WaitAsync(string workflowId, Action<WorkflowStatus>? progress = null, CancellationToken ct = default)
    {
        long? failingSince = null;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await foreach (var s in WatchAsync(workflowId, ct).ConfigureAwait(false))
                {
                    progress?.Invoke(s);
                    if (s.State != Contracts.V1.WorkflowState.Running)
                    {
                        return await GetAsync(workflowId, includeOutputs: true, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded && !ct.IsCancellationRequested)
            {
                failingSince ??= TimeProvider.System.GetTimestamp();
                if (TimeProvider.System.GetElapsedTime(failingSince.Value) >= Options.ReconnectFor)
                {
                    throw;
                }

                await Task.Delay(delay, TimeProvider.System, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(5000, delay.TotalMilliseconds * 2));
                continue;
            }

            failingSince = null;
            delay = TimeSpan.FromMilliseconds(200);
        }
    }

    /// <summary>Gets a workflow's status.</summary>
    public async Task<WorkflowStatus> GetAsync(string workflowId, bool includeOutputs = false, CancellationToken ct = default) =>
        await _client.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = workflowId, IncludeOutputs = includeOutputs }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Lists workflows.</summary>
    public async Task<IReadOnlyList<WorkflowStatus>> ListAsync(CancellationToken ct = default) =>
        (await _client.ListWorkflowsAsync(new ListWorkflowsRequest(), deadline: Deadline, cancellationToken: ct).ConfigureAwait(false)).Workflows;

    /// <summary>
    /// Explains a task (winner, runners-up, cost terms, payment; or why it waits) when <paramref name="taskId"/> is given,
    /// else the workflow (objective, budget and spend, expected cost by term, spend per probe, pending tasks by reason).
    /// </summary>
    /// <exception cref="RpcException">NotFound for an unknown workflow or task; InvalidArgument for an empty workflow id.</exception>
    public async Task<ExplainReply> ExplainAsync(string workflowId, string? taskId = null, CancellationToken ct = default) =>
        await _client.ExplainAsync(new ExplainRequest { WorkflowId = workflowId ?? "", TaskId = taskId ?? "" }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Cancels a workflow.</summary>
    public async Task CancelAsync(string workflowId, CancellationToken ct = default) =>
        await _client.CancelAsync(new CancelRequest { WorkflowId = workflowId }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Lists probes.</summary>
    public async Task<IReadOnlyList<ProbeStatus>> ProbesAsync(CancellationToken ct = default) =>
        (await _client.ListProbesAsync(new ListProbesRequest(), deadline: Deadline, cancellationToken: ct).ConfigureAwait(false)).Probes;

    /// <summary>Reruns a failed or cancelled workflow as a new one that keeps its committed results; returns the new id.</summary>
    /// <exception cref="RpcException">NotFound for an unknown workflow; FailedPrecondition when it is running or succeeded.</exception>
    public async Task<SubmitReply> ResubmitAsync(string workflowId, CancellationToken ct = default) =>
        await _client.ResubmitAsync(new ResubmitRequest { WorkflowId = workflowId ?? "", RequestId = NewRequestId() }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>The failures the director acted on since it started.</summary>
    public async Task<IReadOnlyList<Incident>> IncidentsAsync(CancellationToken ct = default) =>
        (await _client.ListIncidentsAsync(new ListIncidentsRequest(), deadline: Deadline, cancellationToken: ct).ConfigureAwait(false)).Incidents;

    /// <summary>Asks a probe to drain.</summary>
    public async Task DrainAsync(string probeId, CancellationToken ct = default) =>
        await _client.DrainProbeAsync(new DrainProbeRequest { ProbeId = probeId }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Asks a probe to drain, giving its running work <paramref name="graceSeconds"/> to finish or checkpoint (0 = the director's default).</summary>
    public async Task DrainAsync(string probeId, double graceSeconds, CancellationToken ct = default) =>
        await _client.DrainProbeAsync(new DrainProbeRequest { ProbeId = probeId, GraceSeconds = graceSeconds }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Creates an enrolment token for new probes (admin).</summary>
    public async Task<EnrolmentToken> CreateEnrolmentTokenAsync(TimeSpan ttl, int uses = 1, string probeId = "", CancellationToken ct = default) =>
        await _admin.CreateEnrolmentTokenAsync(new CreateEnrolmentTokenRequest { TtlSeconds = ttl.TotalSeconds, Uses = uses, ProbeId = probeId ?? "" }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Creates an API key for a tenant (admin); the reply holds the only copy of the secret.</summary>
    public async Task<ApiKeyCreated> CreateKeyAsync(string tenant, IEnumerable<string> roles, string name = "", CancellationToken ct = default)
    {
        var request = new CreateKeyRequest { Tenant = tenant ?? "", Name = name ?? "" };
        request.Roles.AddRange(roles);
        return await _admin.CreateKeyAsync(request, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Revokes an API key (admin).</summary>
    public async Task RevokeKeyAsync(string id, CancellationToken ct = default) =>
        await _admin.RevokeKeyAsync(new RevokeKeyRequest { Id = id ?? "" }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Lists API keys, without secrets (admin).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken ct = default) =>
        (await _admin.ListKeysAsync(new ListKeysRequest(), deadline: Deadline, cancellationToken: ct).ConfigureAwait(false)).Keys;

    /// <summary>Revokes a probe's certificate and cuts its stream (operator).</summary>
    public async Task RevokeProbeAsync(string probeId, CancellationToken ct = default) =>
        await _admin.RevokeProbeAsync(new RevokeProbeRequest { ProbeId = probeId ?? "" }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Audit entries after <paramref name="after"/> (operator).</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(long after = 0, int limit = 200, CancellationToken ct = default) =>
        (await _admin.ListAuditAsync(new ListAuditRequest { After = after, Limit = limit }, deadline: Deadline, cancellationToken: ct).ConfigureAwait(false)).Entries;

    /// <inheritdoc />
    public void Dispose()
    {
        _channel.Dispose();
        _ca?.Dispose();
    }
}
