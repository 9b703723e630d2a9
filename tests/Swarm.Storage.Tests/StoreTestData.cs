using System.Text.Json;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Xunit;

namespace Swarm.Storage.Tests;

/// <summary>Specs and commands for store tests.</summary>
internal static class StoreTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, 123, TimeSpan.FromHours(2));

    public static WorkflowSpec Spec(params string[] taskIds) => new()
    {
        Name = "spec-" + string.Join('-', taskIds),
        Tasks = [.. taskIds.Select(id => new MicroTaskSpec { Id = id, Command = "/bin/echo", Args = [id] })],
    };

    /// <summary>A spec with every field away from its default, nested collections included.</summary>
    public static WorkflowSpec RichSpec() => new()
    {
        Name = "render \"frames\" ✓",
        Tenant = "acme",
        Objective = new Objective(3.5, 0.25, 1e-3, 7, 2) { CarbonPricePerKg = 0.5 },
        Budget = 123.456,
        DeadlineSeconds = 3600.5,
        Tasks =
        [
            new MicroTaskSpec
            {
                Id = "prepare",
                Kind = TaskKind.Exec,
                Command = "/usr/bin/env",
                Args = ["python3", "-c", "print('hi')", ""],
                Env = new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["EMPTY"] = "", ["ÜNÏ"] = "çödé" },
                WorkingDirectory = "/tmp/work",
                Stdin = [0, 1, 2, 254, 255],
                Resources = new ResourceVector(2500, 4096, 1, 10240, 100, "A100"),
                Priority = -3,
                MaxAttempts = 7,
                TimeoutSeconds = 12.75,
                EstimatedSeconds = 0.1 + 0.2,
            },
            new MicroTaskSpec
            {
                Id = "render.frame_1",
                Kind = TaskKind.Function,
                Function = "render",
                Input = [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))],
                Resources = new ResourceVector(500, 64),
                Priority = 5,
                MaxAttempts = 1,
                EstimatedSeconds = 42,
                DependsOn = ["prepare"],
            },
        ],
    };

    public static DirectorCommand.WorkflowAccepted Accepted(string workflowId, WorkflowSpec? spec = null, DateTimeOffset? at = null) =>
        new(workflowId, spec ?? Spec("a", "b", "c"), at ?? T0);

    public static DirectorCommand.AttemptStarted Started(string workflowId, string taskId, int attempt, string probeId = "probe-1", double unitPrice = 0.5, string explanation = "best score") =>
        new(new AttemptRef(workflowId, taskId, attempt), probeId, unitPrice, explanation);

    public static TaskResult Result(string workflowId, string taskId, int attempt, byte[]? output = null) => new()
    {
        Attempt = new AttemptRef(workflowId, taskId, attempt),
        Success = true,
        ExitCode = 0,
        Output = output ?? [104, 105, 0, 255],
        Stderr = "warning: ünïcödé",
        Error = "",
        RuntimeSeconds = 1.5,
    };

    public static DirectorCommand.ResultCommitted Committed(string workflowId, string taskId, int attempt, double cost = 1.25, string probeId = "probe-1", double unitPrice = 0.5, TaskResult? result = null) =>
        new(new AttemptRef(workflowId, taskId, attempt), probeId, result ?? Result(workflowId, taskId, attempt), unitPrice, cost);

    public static DirectorCommand.AttemptFailed Failed(string workflowId, string taskId, int attempt, int failures, bool final, string reason = "exit code 1") =>
        new(new AttemptRef(workflowId, taskId, attempt), "probe-1", failures, reason, final);

    public static DirectorCommand.WorkflowFinished Finished(string workflowId, WorkflowState state = WorkflowState.Succeeded, string reason = "all tasks succeeded") =>
        new(workflowId, state, reason, T0.AddMinutes(5));

    public static string Json<T>(T value) => JsonSerializer.Serialize(value, StoreJson.Options);

    public static StoredWorkflow Single(EngineSnapshot snapshot) => Assert.Single(snapshot.Workflows);

    public static StoredTask Task(EngineSnapshot snapshot, string workflowId, string taskId) =>
        Assert.Single(snapshot.Workflows.Single(w => w.WorkflowId == workflowId).Tasks, t => t.TaskId == taskId);
}
