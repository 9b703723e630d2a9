using System.Security.Cryptography;
using Grpc.Core;
using Swarm.Contracts.Mapping;
using Swarm.Contracts.V1;
using Swarm.Core.Engine;
using Swarm.Director.Runtime;

namespace Swarm.Director.Services;

/// <summary>The client API: submit, watch, inspect, explain, cancel, list probes, drain. Validates and maps; the engine decides.</summary>
public sealed class SwarmApiService(DirectorLoop loop, WorkflowWatchers watchers, TimeProvider time) : SwarmService.SwarmServiceBase
{
    /// <inheritdoc />
    public override async Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var spec = SpecOf(request.Spec, "SubmitRequest");
        var id = NewWorkflowId();
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowSubmitted(id, spec), context.CancellationToken).ConfigureAwait(false);
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
        var spec = SpecOf(request.Spec, "RunRequest");
        var id = NewWorkflowId();
        using var sub = watchers.Subscribe(id); // before the submission: no change is missed
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowSubmitted(id, spec), ct).ConfigureAwait(false);
        RpcErrors.ThrowIfRejected(cmds);
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

    private static Core.Model.WorkflowSpec SpecOf(Contracts.V1.WorkflowSpec? proto, string request)
    {
        if (proto is null)
        {
            RpcErrors.Invalid($"{request}.spec is missing");
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

    private static string NewWorkflowId() => "wf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <inheritdoc />
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WorkflowStatus> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var ct = context.CancellationToken;
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
        var view = await loop.QueryAsync(e => e.GetWorkflow(request.WorkflowId), context.CancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            RpcErrors.NotFound($"no workflow '{request.WorkflowId}'");
        }

        return ProtoMapper.ToProto(view, request.IncludeOutputs);
    }

    /// <inheritdoc />
    public override async Task<ListWorkflowsReply> ListWorkflows(ListWorkflowsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var list = await loop.QueryAsync(e => e.ListWorkflows(), context.CancellationToken).ConfigureAwait(false);
        var reply = new ListWorkflowsReply();
        reply.Workflows.AddRange(list.Select(w => ProtoMapper.ToProto(w, false)));
        return reply;
    }

    /// <inheritdoc />
    public override async Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
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

        var id = "wf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var cmds = await loop.SendAsync(new DirectorEvent.WorkflowResubmitted(id, request.WorkflowId), context.CancellationToken).ConfigureAwait(false);
        RpcErrors.ThrowIfRejected(cmds);
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
