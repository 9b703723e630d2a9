using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;

namespace Swarm.Client;

/// <summary>The C# client of a director: submit, watch, inspect, explain, cancel, list probes, drain.</summary>
public sealed class SwarmClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly SwarmService.SwarmServiceClient _client;

    /// <summary>Connects (lazily) to the director at <paramref name="address"/>, e.g. http://127.0.0.1:7400.</summary>
    public SwarmClient(string address, int maxMessageBytes = 64 * 1024 * 1024)
    {
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = maxMessageBytes, MaxSendMessageSize = maxMessageBytes });
        _client = new SwarmService.SwarmServiceClient(_channel);
    }

    /// <summary>Submits a workflow; returns its id once it is durable.</summary>
    public async Task<string> SubmitAsync(Core.Model.WorkflowSpec spec, CancellationToken ct = default)
    {
        var reply = await _client.SubmitAsync(new SubmitRequest { Spec = ProtoMapper.ToProto(spec) }, cancellationToken: ct).ConfigureAwait(false);
        return reply.WorkflowId;
    }

    /// <summary>Submits a raw wire spec (used to test the director's own validation).</summary>
    public async Task<string> SubmitAsync(Contracts.V1.WorkflowSpec spec, CancellationToken ct = default)
    {
        var reply = await _client.SubmitAsync(new SubmitRequest { Spec = spec }, cancellationToken: ct).ConfigureAwait(false);
        return reply.WorkflowId;
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
            using var call = _client.Run(new RunRequest { Spec = ProtoMapper.ToProto(spec), Progress = progress is not null }, cancellationToken: ct);
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

    /// <summary>Waits until the workflow ends, retrying the watch if the director restarts; returns the final status with outputs.</summary>
    public async Task<WorkflowStatus> WaitAsync(string workflowId, Action<WorkflowStatus>? progress = null, CancellationToken ct = default)
    {
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
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Gets a workflow's status.</summary>
    public async Task<WorkflowStatus> GetAsync(string workflowId, bool includeOutputs = false, CancellationToken ct = default) =>
        await _client.GetWorkflowAsync(new GetWorkflowRequest { WorkflowId = workflowId, IncludeOutputs = includeOutputs }, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Lists workflows.</summary>
    public async Task<IReadOnlyList<WorkflowStatus>> ListAsync(CancellationToken ct = default) =>
        (await _client.ListWorkflowsAsync(new ListWorkflowsRequest(), cancellationToken: ct).ConfigureAwait(false)).Workflows;

    /// <summary>
    /// Explains a task (winner, runners-up, cost terms, payment; or why it waits) when <paramref name="taskId"/> is given,
    /// else the workflow (objective, budget and spend, expected cost by term, spend per probe, pending tasks by reason).
    /// </summary>
    /// <exception cref="RpcException">NotFound for an unknown workflow or task; InvalidArgument for an empty workflow id.</exception>
    public async Task<ExplainReply> ExplainAsync(string workflowId, string? taskId = null, CancellationToken ct = default) =>
        await _client.ExplainAsync(new ExplainRequest { WorkflowId = workflowId ?? "", TaskId = taskId ?? "" }, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Cancels a workflow.</summary>
    public async Task CancelAsync(string workflowId, CancellationToken ct = default) =>
        await _client.CancelAsync(new CancelRequest { WorkflowId = workflowId }, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Lists probes.</summary>
    public async Task<IReadOnlyList<ProbeStatus>> ProbesAsync(CancellationToken ct = default) =>
        (await _client.ListProbesAsync(new ListProbesRequest(), cancellationToken: ct).ConfigureAwait(false)).Probes;

    /// <summary>Reruns a failed or cancelled workflow as a new one that keeps its committed results; returns the new id.</summary>
    /// <exception cref="RpcException">NotFound for an unknown workflow; FailedPrecondition when it is running or succeeded.</exception>
    public async Task<SubmitReply> ResubmitAsync(string workflowId, CancellationToken ct = default) =>
        await _client.ResubmitAsync(new ResubmitRequest { WorkflowId = workflowId ?? "" }, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>The failures the director acted on since it started.</summary>
    public async Task<IReadOnlyList<Incident>> IncidentsAsync(CancellationToken ct = default) =>
        (await _client.ListIncidentsAsync(new ListIncidentsRequest(), cancellationToken: ct).ConfigureAwait(false)).Incidents;

    /// <summary>Asks a probe to drain.</summary>
    public async Task DrainAsync(string probeId, CancellationToken ct = default) =>
        await _client.DrainProbeAsync(new DrainProbeRequest { ProbeId = probeId }, cancellationToken: ct).ConfigureAwait(false);

    /// <summary>Asks a probe to drain, giving its running work <paramref name="graceSeconds"/> to finish or checkpoint (0 = the director's default).</summary>
    public async Task DrainAsync(string probeId, double graceSeconds, CancellationToken ct = default) =>
        await _client.DrainProbeAsync(new DrainProbeRequest { ProbeId = probeId, GraceSeconds = graceSeconds }, cancellationToken: ct).ConfigureAwait(false);

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
