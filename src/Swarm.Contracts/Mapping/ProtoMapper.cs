using Google.Protobuf;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;
using Swarm.Core.Scoring;
using V1 = Swarm.Contracts.V1;

namespace Swarm.Contracts.Mapping;

/// <summary>Maps between the wire types (swarm.v1) and the core model. Throws <see cref="ArgumentException"/> naming the field on bad input.</summary>
public static class ProtoMapper
{
    public static ResourceVector ToCore(V1.Resources? r) => r is null
        ? ResourceVector.Zero
        : new ResourceVector(r.CpuMillis, r.MemoryMb, r.Gpus, r.DiskMb, r.NetMbps, r.GpuModel ?? "");

    public static V1.Resources ToProto(ResourceVector r) => new()
    {
        CpuMillis = r.CpuMillis,
        MemoryMb = r.MemoryMb,
        Gpus = r.Gpus,
        GpuModel = r.GpuModel ?? "",
        DiskMb = r.DiskMb,
        NetMbps = r.NetMbps,
    };

    public static TaskKind ToCore(V1.TaskKind k, string taskId) => k switch
    {
        V1.TaskKind.Exec => TaskKind.Exec,
        V1.TaskKind.Function => TaskKind.Function,
        _ => throw new ArgumentException($"task '{taskId}': kind must be exec or function (got {k})"),
    };

    public static V1.TaskKind ToProto(TaskKind k) => k == TaskKind.Function ? V1.TaskKind.Function : V1.TaskKind.Exec;

    public static MicroTaskSpec ToCore(V1.MicroTaskSpec t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return new MicroTaskSpec
        {
            Id = t.Id,
            Kind = ToCore(t.Kind, t.Id),
            Command = t.Command,
            Args = [.. t.Args],
            Env = new Dictionary<string, string>(t.Env, StringComparer.Ordinal),
            WorkingDirectory = t.WorkingDirectory,
            Stdin = t.Stdin.ToByteArray(),
            Function = t.Function,
            Input = t.Input.ToByteArray(),
            Resources = t.Resources is null ? new ResourceVector(1000, 128) : ToCore(t.Resources),
            Priority = t.Priority,
            MaxAttempts = t.MaxAttempts == 0 ? 3 : t.MaxAttempts,
            TimeoutSeconds = t.TimeoutSeconds,
            EstimatedSeconds = t.EstimatedSeconds == 0 ? 1 : t.EstimatedSeconds,
            DependsOn = [.. t.DependsOn],
            Gang = t.Gang,
            Category = t.Category,
        };
    }

    public static V1.MicroTaskSpec ToProto(MicroTaskSpec t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var p = new V1.MicroTaskSpec
        {
            Id = t.Id,
            Kind = ToProto(t.Kind),
            Command = t.Command,
            WorkingDirectory = t.WorkingDirectory,
            Stdin = ByteString.CopyFrom(t.Stdin),
            Function = t.Function,
            Input = ByteString.CopyFrom(t.Input),
            Resources = ToProto(t.Resources),
            Priority = t.Priority,
            MaxAttempts = t.MaxAttempts,
            TimeoutSeconds = t.TimeoutSeconds,
            EstimatedSeconds = t.EstimatedSeconds,
            Gang = t.Gang ?? "",
            Category = t.Category ?? "",
        };
        p.Args.AddRange(t.Args);
        foreach (var (k, v) in t.Env)
        {
            p.Env[k] = v;
        }

        p.DependsOn.AddRange(t.DependsOn);
        return p;
    }

    public static WorkflowSpec ToCore(V1.WorkflowSpec w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new WorkflowSpec
        {
            Name = w.Name,
            Tenant = string.IsNullOrEmpty(w.Tenant) ? "default" : w.Tenant,
            Tasks = w.Tasks.Select(ToCore).ToList(),
            Objective = ToCore(w.Objective),
            Budget = w.Budget,
            DeadlineSeconds = w.DeadlineSeconds,
            Priority = w.Priority,
            MaxUnitPrice = w.MaxUnitPrice,
            Constraints = ToCore(w.Constraints),
            GangSameZone = !w.GangsAnyZone,
        };
    }

    /// <summary>Maps an objective; missing or all-zero weights mean balanced (the absolute rates are kept).</summary>
    public static Objective ToCore(V1.Objective? o)
    {
        if (o is null)
        {
            return Objective.Balanced;
        }

        // Only all-zero weights mean balanced: a negative weight must reach validation, not vanish into the default.
        var weights = o.Price == 0 && o.Time == 0 && o.Risk == 0 && o.Transfer == 0 && o.Carbon == 0
            ? Objective.Balanced
            : new Objective(o.Price, o.Time, o.Risk, o.Transfer, o.Carbon);
        return o.TimeValuePerHour == 0 && o.CarbonPricePerKg == 0
            ? weights
            : weights with { TimeValuePerHour = o.TimeValuePerHour, CarbonPricePerKg = o.CarbonPricePerKg };
    }

    public static V1.Objective ToProto(Objective o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new V1.Objective
        {
            Price = o.Price,
            Time = o.Time,
            Risk = o.Risk,
            Transfer = o.Transfer,
            Carbon = o.Carbon,
            TimeValuePerHour = o.TimeValuePerHour,
            CarbonPricePerKg = o.CarbonPricePerKg,
        };
    }

    /// <summary>Maps placement rules; missing means none.</summary>
    public static PlacementConstraints ToCore(V1.PlacementConstraints? c) => c is null
        ? PlacementConstraints.None
        : new PlacementConstraints
        {
            Regions = [.. c.Regions],
            DenyRegions = [.. c.DenyRegions],
            MaxLatencyMs = c.MaxLatencyMs,
            MinReliability = c.MinReliability,
            MaxCarbonIntensity = c.MaxCarbonIntensity,
        };

    public static V1.PlacementConstraints ToProto(PlacementConstraints c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = new V1.PlacementConstraints { MaxLatencyMs = c.MaxLatencyMs, MinReliability = c.MinReliability, MaxCarbonIntensity = c.MaxCarbonIntensity };
        p.Regions.AddRange(c.Regions);
        p.DenyRegions.AddRange(c.DenyRegions);
        return p;
    }

    public static V1.WorkflowSpec ToProto(WorkflowSpec w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var p = new V1.WorkflowSpec
        {
            Name = w.Name,
            // "default" is what a spec that names no tenant holds: sent as unset, so the director files it under the
            // caller's own tenant (the key's), and a key's holder never has to repeat its tenant in every spec.
            Tenant = w.Tenant == "default" ? "" : w.Tenant,
            Budget = w.Budget,
            DeadlineSeconds = w.DeadlineSeconds,
            Objective = ToProto(w.Objective),
            Priority = w.Priority,
            MaxUnitPrice = w.MaxUnitPrice,
            Constraints = ToProto(w.Constraints),
            GangsAnyZone = !w.GangSameZone,
        };
        p.Tasks.AddRange(w.Tasks.Select(ToProto));
        return p;
    }

    public static ProbeProfile ToCore(V1.ProbeProfile p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new ProbeProfile
        {
            ProbeId = p.ProbeId,
            Region = p.Region,
            Zone = p.Zone,
            Latitude = p.Latitude,
            Longitude = p.Longitude,
            EnergyPrice = p.EnergyPrice,
            CarbonIntensity = p.CarbonIntensity,
            RttMs = p.RttMs,
            DeclaredReliability = p.DeclaredReliability,
            SpeedFactor = p.SpeedFactor <= 0 ? 1 : p.SpeedFactor,
            AllowedKinds = p.AllowedKinds.Count == 0 ? [TaskKind.Exec, TaskKind.Function] : p.AllowedKinds.Select(k => ToCore(k, "-")).Distinct().ToList(),
            Functions = [.. p.Functions],
            MachineClass = p.MachineClass,
        };
    }

    public static V1.ProbeProfile ToProto(ProbeProfile p, string owner = "", string hostName = "")
    {
        ArgumentNullException.ThrowIfNull(p);
        var r = new V1.ProbeProfile
        {
            ProbeId = p.ProbeId,
            Region = p.Region,
            Zone = p.Zone,
            Latitude = p.Latitude,
            Longitude = p.Longitude,
            EnergyPrice = p.EnergyPrice,
            CarbonIntensity = p.CarbonIntensity,
            RttMs = p.RttMs,
            DeclaredReliability = p.DeclaredReliability,
            SpeedFactor = p.SpeedFactor,
            Owner = owner,
            HostName = hostName,
            MachineClass = p.MachineClass ?? "",
        };
        r.AllowedKinds.AddRange(p.AllowedKinds.Select(ToProto));
        r.Functions.AddRange(p.Functions);
        return r;
    }

    public static AttemptRef ToCore(V1.AttemptRef a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new AttemptRef(a.WorkflowId, a.TaskId, a.Attempt);
    }

    public static V1.AttemptRef ToProto(AttemptRef a) => new() { WorkflowId = a.WorkflowId, TaskId = a.TaskId, Attempt = a.Attempt };

    public static Bid ToCore(V1.Bid b)
    {
        ArgumentNullException.ThrowIfNull(b);
        return new Bid(b.ProbeId, b.Round, b.Items.Select(i => new BidItem(i.DemandIndex, i.Units, i.UnitPrice)).ToList(),
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(b.ValidUntilUnixMs, 0, 253402300799999)))
        {
            AvailableForSeconds = b.AvailableForSeconds, // the engine rejects a bad one, naming it
        };
    }

    public static V1.Bid ToProto(Bid b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var p = new V1.Bid { ProbeId = b.ProbeId, Round = b.Round, ValidUntilUnixMs = b.ValidUntil.ToUnixTimeMilliseconds(), AvailableForSeconds = b.AvailableForSeconds };
        p.Items.AddRange(b.Items.Select(i => new V1.BidItem { DemandIndex = i.DemandIndex, Units = i.Units, UnitPrice = i.UnitPrice }));
        return p;
    }

    public static TaskResult ToCore(V1.TaskResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new TaskResult
        {
            Attempt = ToCore(r.Attempt ?? new V1.AttemptRef()),
            Success = r.Success,
            ExitCode = r.ExitCode,
            Output = r.Output.ToByteArray(),
            Stderr = r.Stderr,
            Error = r.Error,
            RuntimeSeconds = r.RuntimeSeconds,
            OutputBlob = r.OutputBlob,
            OutputBytes = r.OutputBytes > 0 ? r.OutputBytes : r.Output.Length,
            Spawned = r.Spawned.Select(ToCore).ToList(),
        };
    }

    public static V1.CallForBids ToProto(CallForBids c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var p = new V1.CallForBids { Round = c.Round, DeadlineUnixMs = c.Deadline.ToUnixTimeMilliseconds() };
        p.Demands.AddRange(c.Demands.Select(d => new V1.Demand
        {
            Index = d.Index,
            Shape = ToProto(d.Shape),
            Kind = ToProto(d.Kind),
            Count = d.Count,
            EstimatedSeconds = d.EstimatedSeconds,
            Function = d.Function,
            ReferencePrice = d.ReferencePrice,
        }));
        return p;
    }

    public static CallForBids ToCore(V1.CallForBids c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new CallForBids(c.Round,
            c.Demands.Select(d => new Demand(d.Index, ToCore(d.Shape), d.Kind == V1.TaskKind.Function ? TaskKind.Function : TaskKind.Exec, d.Function, d.Count, d.EstimatedSeconds, d.ReferencePrice)).ToList(),
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(c.DeadlineUnixMs, 0, 253402300799999)));
    }

    public static V1.Award ToProto(DirectorCommand.SendAward a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var p = new V1.Award { AwardId = a.AwardId, Round = a.Round };
        p.Items.AddRange(a.Items.Select(i => new V1.AwardItem
        {
            Attempt = ToProto(i.Attempt),
            DemandIndex = i.DemandIndex,
            Resources = ToProto(i.Resources),
            UnitPrice = i.UnitPrice,
        }));
        foreach (var i in a.Tasks)
        {
            p.Tasks.Add(ToProto(i));
        }

        return p;
    }

    public static V1.TaskBatch ToProto(DirectorCommand.Dispatch d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var p = new V1.TaskBatch();
        foreach (var i in d.Items)
        {
            p.Tasks.Add(ToProto(i));
        }

        return p;
    }

    public static V1.DispatchTask ToProto(DispatchItem i)
    {
        ArgumentNullException.ThrowIfNull(i);
        var t = new V1.DispatchTask { Attempt = ToProto(i.Attempt), Spec = ToProto(i.Spec), CheckpointBlob = i.CheckpointBlob };
        foreach (var (k, v) in i.ParentOutputs)
        {
            t.ParentOutputs[k] = ByteString.CopyFrom(v);
        }

        foreach (var (k, v) in i.ParentOutputBlobs)
        {
            t.ParentOutputBlobs[k] = v;
        }

        return t;
    }

    public static StandingOffer ToCore(V1.StandingOffer o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new StandingOffer(o.ProbeId, o.Sequence, o.IdlePrice, o.FullPrice, DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(o.ValidUntilUnixMs, 0, 253402300799999)))
        {
            TimeLeftSeconds = o.TimeLeftSeconds, // the engine refuses bad numbers, naming them
            SpeedFactor = o.SpeedFactor,
            Floor = o.FloorPrice,
        };
    }

    public static V1.StandingOffer ToProto(StandingOffer o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new V1.StandingOffer
        {
            ProbeId = o.ProbeId, Sequence = o.Sequence, IdlePrice = o.IdlePrice, FullPrice = o.FullPrice, ValidUntilUnixMs = o.ValidUntil.ToUnixTimeMilliseconds(),
            TimeLeftSeconds = o.TimeLeftSeconds, SpeedFactor = o.SpeedFactor, FloorPrice = o.Floor,
        };
    }

    public static V1.WorkflowState ToProto(Core.Workflow.WorkflowState s) => s switch
    {
        Core.Workflow.WorkflowState.Running => V1.WorkflowState.Running,
        Core.Workflow.WorkflowState.Succeeded => V1.WorkflowState.Succeeded,
        Core.Workflow.WorkflowState.Failed => V1.WorkflowState.Failed,
        Core.Workflow.WorkflowState.Cancelled => V1.WorkflowState.Cancelled,
        _ => V1.WorkflowState.Unspecified,
    };

    public static V1.TaskState ToProto(Core.Workflow.TaskState s) => (V1.TaskState)(int)s;

    public static V1.WorkflowStatus ToProto(WorkflowView w, bool includeOutputs)
    {
        ArgumentNullException.ThrowIfNull(w);
        var p = new V1.WorkflowStatus
        {
            WorkflowId = w.WorkflowId,
            Name = w.Name,
            State = ToProto(w.State),
            Total = w.Total,
            Succeeded = w.Succeeded,
            Failed = w.Failed,
            Running = w.Running,
            Spent = w.Spent,
            Budget = w.Budget,
            Reason = w.Reason,
            SubmittedUnixMs = w.SubmittedAt.ToUnixTimeMilliseconds(),
            FinishedUnixMs = w.FinishedAt?.ToUnixTimeMilliseconds() ?? 0,
            RescueOf = w.RescueOf,
            Tenant = w.Tenant,
        };
        foreach (var t in w.Tasks)
        {
            var s = new V1.TaskStatus
            {
                TaskId = t.TaskId,
                State = ToProto(t.State),
                Attempts = t.Attempts,
                ProbeId = t.ProbeId,
                UnitPrice = t.UnitPrice,
                Cost = t.Cost,
                Explanation = t.Explanation,
                Error = t.Error,
                Progress = t.Progress,
                ProgressMessage = t.ProgressMessage,
                CheckpointBlob = t.CheckpointBlob,
                Speculative = t.Speculative,
            };
            if (t.Result is { } r)
            {
                s.RuntimeSeconds = r.RuntimeSeconds;
                s.ExitCode = r.ExitCode;
                s.Stderr = r.Stderr;
                s.OutputBlob = r.OutputBlob;
                if (includeOutputs)
                {
                    s.Output = ByteString.CopyFrom(r.Output);
                }
            }

            p.Tasks.Add(s);
        }

        return p;
    }

    public static V1.Incident ToProto(Incident i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return new V1.Incident
        {
            ProbeId = i.ProbeId,
            Kind = i.Kind.ToString().ToLowerInvariant(),
            Reason = i.Reason,
            DetectionSeconds = i.Detection.TotalSeconds,
            AttemptsLost = i.AttemptsLost,
            RecoverySeconds = i.Recovery?.TotalSeconds ?? -1,
            WastedTaskSeconds = i.WastedTaskSeconds,
            AtUnixMs = i.At.ToUnixTimeMilliseconds(),
        };
    }

    public static V1.ProbeStatus ToProto(ProbeView p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new V1.ProbeStatus
        {
            ProbeId = p.Profile.ProbeId,
            Region = p.Profile.Region,
            Connected = p.Connected,
            Capacity = ToProto(p.Capacity),
            Allocated = ToProto(p.Allocated),
            CpuLoad = p.CpuLoad,
            Running = p.Running,
            Completed = p.Completed,
            Failed = p.Failed + p.Lost,
            Reliability = p.Reliability,
            Earned = p.Earned,
            Accepting = p.Accepting && !p.Draining,
            PolicyReason = p.Draining ? "draining" : p.PolicyReason,
            SpeedFactor = p.Profile.SpeedFactor,
            Health = p.Health.ToString().ToLowerInvariant(),
            Phi = p.Phi,
            Lost = p.Lost,
            Flaps = p.Flaps,
        };
    }

    public static V1.CostTerms ToProto(CostBreakdown b) => new()
    {
        Price = b.Price,
        Time = b.Time,
        Risk = b.Risk,
        Transfer = b.Transfer,
        Carbon = b.Carbon,
        Total = b.Total,
    };

    public static CostBreakdown ToCore(V1.CostTerms? t) => t is null ? default : new CostBreakdown(t.Price, t.Time, t.Risk, t.Transfer, t.Carbon);

    public static V1.CandidateLine ToProto(CandidateCost c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new V1.CandidateLine
        {
            ProbeId = c.ProbeId, AskedPrice = c.AskedPrice, Terms = ToProto(c.Breakdown), Note = c.Note,
            PredictedSeconds = c.PredictedSeconds, PredictedP90Seconds = c.PredictedP90Seconds, LossProbability = c.LossProbability,
        };
    }

    public static V1.TaskExplanation ToProto(TaskExplanation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var p = new V1.TaskExplanation
        {
            WorkflowId = e.WorkflowId,
            TaskId = e.TaskId,
            State = ToProto(e.State),
            Summary = e.Summary,
            ProbeId = e.ProbeId,
        };
        if (e.Award is { } a)
        {
            p.Round = a.Round;
            p.Winner = ToProto(a.Winner);
            p.RunnersUp.AddRange(a.RunnersUp.Select(ToProto));
            p.Objective = a.Objective.ToString();
            p.PaymentRule = a.PaymentRule;
            p.PaidPrice = a.PaidPrice;
            p.Solver = a.Solver;
            p.SlackSeconds = a.Time.SlackSeconds;
            p.FastestSeconds = a.Time.FastestSeconds;
            p.Parallelism = a.Time.Parallelism;
        }

        if (e.Deferral is { } d)
        {
            p.Round = e.DeferredRound;
            p.DeferralReason = d.Reason.ToString();
            p.DeferralDetail = d.Detail;
        }

        p.WaitingFor.AddRange(e.WaitingFor);
        return p;
    }

    public static V1.WorkflowExplanation ToProto(WorkflowExplanation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var p = new V1.WorkflowExplanation
        {
            WorkflowId = e.WorkflowId,
            Name = e.Name,
            Tenant = e.Tenant,
            State = ToProto(e.State),
            Objective = e.Objective,
            PaymentRule = e.PaymentRule,
            Budget = e.Budget,
            Spent = e.Spent,
            Reserved = e.Reserved,
            TenantBudget = e.TenantBudget,
            TenantSpent = e.TenantSpent,
            Expected = ToProto(e.Expected),
            Constraints = e.Constraints,
        };
        p.SpentByProbe.AddRange(e.SpentByProbe.Select(s => new V1.ProbeSpend { ProbeId = s.ProbeId, Spent = s.Spent, Tasks = s.Tasks }));
        foreach (var (reason, count) in e.Waiting)
        {
            p.Waiting[reason] = count;
        }

        return p;
    }
}
