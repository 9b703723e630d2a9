using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Engine;
using Swarm.Director.Runtime;
using Swarm.Director.Security;

namespace Swarm.Director.Services;

/// <summary>The client API: submit, watch, inspect, explain, cancel, list probes, drain. Validates and maps; the engine decides.</summary>
public sealed class SwarmApiService(DirectorLoop loop, WorkflowWatchers watchers, TimeProvider time) : SwarmService.SwarmServiceBase
{
    /// <inheritdoc />
    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var caller = Principal.Of(context);
        var spec = SpecOf(request.Spec, "SubmitRequest", caller);
        var id = WorkflowIdFor(spec.Tenant, request.RequestId, "SubmitRequest");
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowSubmitted(id, spec), context.CancellationToken).ConfigureAwait(false);
        if (request.RequestId.Length > 0 && await SameSubmissionAsync(cmds, id, spec, context.CancellationToken).ConfigureAwait(false))
        {
            return new SubmitReply { WorkflowId = id, TaskCount = spec.Tasks.Count };
        }

        RpcErrors.ThrowIfRejected(cmds);
        return new SubmitReply { WorkflowId = id, TaskCount = spec.Tasks.Count };
    }

    /// <inheritdoc />
    public override async Task Run(RunRequest request, IServerStreamWriter<WorkflowStatus> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        var caller = Principal.Of(context);
        var spec = SpecOf(request.Spec, "RunRequest", caller);
        var id = WorkflowIdFor(spec.Tenant, request.RequestId, "RunRequest");
        using var sub = watchers.Subscribe(id); // before the submission: no change is missed
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowSubmitted(id, spec), ct).ConfigureAwait(false);
        if (!(request.RequestId.Length > 0 && await SameSubmissionAsync(cmds, id, spec, ct).ConfigureAwait(false)))
        {
            RpcErrors.ThrowIfRejected(cmds);
        }

        await responseStream.WriteAsync(new WorkflowStatus { WorkflowId = id, Name = spec.Name, State = Contracts.V1.WorkflowState.Running, Total = spec.Tasks.Count }, ct).ConfigureAwait(false);
        while (true)
        {
            await sub.Signal.Reader.ReadAsync(ct).ConfigureAwait(false);
            var (view, ended) = await loop.QueryAsync(e =>
            {
                var brief = e.GetWorkflow(id, includeTasks: false);
                return brief is null || brief.State != Core.Workflow.WorkflowState.Running ? (e.GetWorkflow(id), true) : (brief, false);
            }, ct).ConfigureAwait(false);
            if (view is null)
            {
                RpcErrors.NotFound($"no workflow '{id}'");
            }

            if (ended || request.Progress)
            {
                await responseStream.WriteAsync(ProtoMapper.ToProto(view, includeOutputs: ended), ct).ConfigureAwait(false);
            }

            if (ended)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The core spec of a request, in the caller's tenant: a spec naming no tenant gets the caller's; one naming
    /// another tenant is refused unless the caller is an administrator.
    /// </summary>
    private static Core.Model.WorkflowSpec SpecOf(Contracts.V1.WorkflowSpec? proto, string request, Principal caller)
    {
        if (proto is null)
        {
            RpcErrors.Invalid($"{request}.spec is missing");
        }

        if (proto.Tenant.Length == 0 && caller.Tenant.Length > 0)
        {
            proto = proto.Clone();
            proto.Tenant = caller.Tenant;
        }
        else if (proto.Tenant.Length > 0 && !caller.Sees(proto.Tenant))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{request}.spec.tenant is '{proto.Tenant}', but {caller.Name} belongs to tenant '{caller.Tenant}'"));
        }

        try
        {
            return ProtoMapper.ToCore(proto);
        }
        catch (ArgumentException ex)
        {
            RpcErrors.Invalid("invalid workflow: " + ex.Message);
            throw;
        }
    }

    /// <summary>
    /// A new workflow's id: random, or, when the client names its request, derived from the tenant and the request id
    /// so that a retry names the same workflow and the engine's "already exists" makes it idempotent, with no extra
    /// state to keep durable.
    /// </summary>
    private static string WorkflowIdFor(string tenant, string requestId, string request)
    {
        if (requestId.Length == 0)
        {
            return "wf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        }

        if (!Core.Workflow.WorkflowValidator.IsValidId(requestId))
        {
            RpcErrors.Invalid($"{request}.request_id '{RpcErrors.Clip(requestId)}' must be 1-128 letters, digits, '-', '_' or '.'");
        }

        return "wf-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant + "\n" + requestId)))[..24];
    }

    /// <summary>
    /// Whether a submission the engine refused as "already exists" is a retry of the same one (same tenant and name):
    /// then the caller gets the first one's id. A different workflow under the same request id is a conflict.
    /// </summary>
    private async Task<bool> SameSubmissionAsync(IReadOnlyList<DirectorCommand> commands, string id, Core.Model.WorkflowSpec spec, CancellationToken ct)
    {
        if (!commands.Any(c => c is DirectorCommand.Rejected { Code: RejectCode.AlreadyExists }))
        {
            return false;
        }

        var existing = await loop.QueryAsync(e => e.GetWorkflow(id, includeTasks: false), ct).ConfigureAwait(false);
        if (existing is null || existing.Tenant != spec.Tenant || existing.Name != spec.Name || existing.Total != spec.Tasks.Count)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, "this request_id was already used for a different workflow; use a new request_id"));
        }

        return true;
    }

    /// <summary>The workflow if the caller may see it; NotFound otherwise (another tenant's workflow reads as absent).</summary>
    private async Task<WorkflowView> VisibleAsync(string workflowId, ServerCallContext context, bool includeTasks = false)
    {
        var caller = Principal.Of(context);
        var view = await loop.QueryAsync(e => e.GetWorkflow(workflowId, includeTasks), context.CancellationToken).ConfigureAwait(false);
        if (view is null || !caller.Sees(view.Tenant))
        {
            RpcErrors.NotFound($"no workflow '{RpcErrors.Clip(workflowId)}'");
        }

        return view;
    }


    /// <inheritdoc />
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WorkflowStatus> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
        _ = await VisibleAsync(request.WorkflowId, context).ConfigureAwait(false);
        using var sub = watchers.Subscribe(request.WorkflowId);
        while (true)
        {
            // Updates carry counts only; GetWorkflow returns the tasks.
            var view = await loop.QueryAsync(e => e.GetWorkflow(request.WorkflowId, includeTasks: false), ct).ConfigureAwait(false);
            if (view is null)
            {
                RpcErrors.NotFound($"no workflow '{request.WorkflowId}'");
            }

            await responseStream.WriteAsync(ProtoMapper.ToProto(view, includeOutputs: false), ct).ConfigureAwait(false);
            if (view.State != Core.Workflow.WorkflowState.Running)
            {
                return;
            }

            await sub.Signal.Reader.ReadAsync(ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task<WorkflowStatus> GetWorkflow(GetWorkflowRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var view = await VisibleAsync(request.WorkflowId, context, includeTasks: true).ConfigureAwait(false);
        return ProtoMapper.ToProto(view, request.IncludeOutputs);
    }

    /// <inheritdoc />
    public override async Task<ListWorkflowsReply> ListWorkflows(ListWorkflowsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = Principal.Of(context);
        var list = await loop.QueryAsync(e => e.ListWorkflows(), context.CancellationToken).ConfigureAwait(false);
        var reply = new ListWorkflowsReply();
        reply.Workflows.AddRange(list.Where(w => caller.Sees(w.Tenant)).Select(w => ProtoMapper.ToProto(w, false)));
        return reply;
    }

    /// <inheritdoc />
    public override async Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var before = await VisibleAsync(request.WorkflowId, context).ConfigureAwait(false);
        if (before.State == Core.Workflow.WorkflowState.Cancelled)
        {
            return new CancelReply { State = Contracts.V1.WorkflowState.Cancelled }; // a retried cancel
        }

        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowCancelRequested(request.WorkflowId), context.CancellationToken).ConfigureAwait(false);
        RpcErrors.ThrowIfRejected(cmds);
        return new CancelReply { State = Contracts.V1.WorkflowState.Cancelled };
    }

    /// <inheritdoc />
    public override async Task<ListProbesReply> ListProbes(ListProbesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var list = await loop.QueryAsync(e =>
        {
            e.Observe(time.GetUtcNow());
            return e.ListProbes();
        }, context.CancellationToken).ConfigureAwait(false);
        var reply = new ListProbesReply();
        reply.Probes.AddRange(list.Select(ProtoMapper.ToProto));
        return reply;
    }

    /// <inheritdoc />
    public override async Task<DrainProbeReply> DrainProbe(DrainProbeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!double.IsFinite(request.GraceSeconds) || request.GraceSeconds < 0 || request.GraceSeconds > 86_400)
        {
            RpcErrors.Invalid($"DrainProbeRequest.grace_seconds must be in [0, 86400], got {request.GraceSeconds}");
        }

        DateTimeOffset? deadline = request.GraceSeconds > 0 ? time.GetUtcNow() + TimeSpan.FromSeconds(request.GraceSeconds) : null;
        var cmds = await loop.SendAsync(new DirectorEvent.ProbeDrainRequested(request.ProbeId, "drain requested by operator", deadline), context.CancellationToken).ConfigureAwait(false);
        RpcErrors.ThrowIfRejected(cmds);
        return new DrainProbeReply();
    }

    /// <inheritdoc />
    public override async Task<SubmitReply> Resubmit(ResubmitRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(request.WorkflowId))
        {
            RpcErrors.Invalid("ResubmitRequest.workflow_id is empty");
        }

        var original = await VisibleAsync(request.WorkflowId, context).ConfigureAwait(false);
        var id = WorkflowIdFor(original.Tenant, request.RequestId.Length > 0 ? "resubmit." + request.RequestId : "", "ResubmitRequest");
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowResubmitted(id, request.WorkflowId), context.CancellationToken).ConfigureAwait(false);
        var retried = request.RequestId.Length > 0 && cmds.Any(c => c is DirectorCommand.Rejected { Code: RejectCode.AlreadyExists })
            && await loop.QueryAsync(e => e.GetWorkflow(id, includeTasks: false)?.RescueOf == request.WorkflowId, context.CancellationToken).ConfigureAwait(false);
        if (!retried)
        {
            RpcErrors.ThrowIfRejected(cmds);
        }

        var view = await loop.QueryAsync(e => e.GetWorkflow(id, includeTasks: false), context.CancellationToken).ConfigureAwait(false);
        return new SubmitReply { WorkflowId = id, TaskCount = view?.Total ?? 0 };
    }

    /// <inheritdoc />
    public override async Task<ListIncidentsReply> ListIncidents(ListIncidentsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var list = await loop.QueryAsync(e => e.ListIncidents(), context.CancellationToken).ConfigureAwait(false);
        var reply = new ListIncidentsReply();
        reply.Incidents.AddRange(list.Select(ProtoMapper.ToProto));
        return reply;
    }

    /// <inheritdoc />
    public override async Task<ExplainReply> Explain(ExplainRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var workflowId = request.WorkflowId;
        if (string.IsNullOrEmpty(workflowId))
        {
            RpcErrors.Invalid("ExplainRequest.workflow_id is empty");
        }

        var ct = context.CancellationToken;
        _ = await VisibleAsync(workflowId, context).ConfigureAwait(false);
        if (string.IsNullOrEmpty(request.TaskId))
        {
            var workflow = await loop.QueryAsync(e => e.ExplainWorkflow(workflowId), ct).ConfigureAwait(false);
            if (workflow is null)
            {
                RpcErrors.NotFound($"no workflow '{workflowId}'");
            }

            return new ExplainReply { Workflow = ProtoMapper.ToProto(workflow) };
        }

        var taskId = request.TaskId;
        var (known, task) = await loop.QueryAsync(e => (e.GetWorkflow(workflowId, includeTasks: false) is not null, e.ExplainTask(workflowId, taskId)), ct)
            .ConfigureAwait(false);
        if (task is null)
        {
            RpcErrors.NotFound(known ? $"workflow '{workflowId}' has no task '{taskId}'" : $"no workflow '{workflowId}'");
        }

        return new ExplainReply { Task = ProtoMapper.ToProto(task) };
    }
}
