using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Swarm.Client;
using Swarm.Contracts.V1;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;
using MicroTaskSpec = Swarm.Core.Model.MicroTaskSpec;
using PlacementConstraints = Swarm.Core.Model.PlacementConstraints;
using ResourceVector = Swarm.Core.Model.ResourceVector;
using TaskKind = Swarm.Core.Model.TaskKind;

namespace Swarm.IntegrationTests;

[Trait("Category", "Integration")]
public sealed class ExplainTests
{
    [Fact]
    public async Task Explain_FinishedWorkflow_TaskShowsWinnerAndTermsAndWorkflowSpendIsSumOfTaskCosts()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("cheap", "--max-cores", "1", "--price", "0.01");
        cluster.StartProbe("dear", "--max-cores", "1", "--price", "0.05");
        await cluster.WaitForProbesAsync("cheap", "dear");

        var b = new WorkflowBuilder("explained");
        var parts = b.SplitRange("part", 1, 4, 3, (from, _) => Echo("x", from));
        b.Reduce(new MicroTaskSpec { Id = "total", Kind = TaskKind.Function, Function = "sum", Resources = new ResourceVector(500, 16) }, parts);
        using var client = cluster.Client();
        var id = await client.SubmitAsync(b.Build());
        var final = await client.WaitAsync(id).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(final.State == WorkflowState.Succeeded, $"{final.State}: {final.Reason}\n{cluster.Log}");

        var total = final.Tasks.Single(t => t.TaskId == "total");
        var task = (await client.ExplainAsync(id, "total")).Task;
        Assert.NotNull(task);
        Assert.Equal(TaskState.Succeeded, task.State);
        Assert.Equal(total.ProbeId, task.ProbeId);
        Assert.Equal(total.ProbeId, task.Winner.ProbeId);
        var terms = task.Winner.Terms;
        Assert.True(terms.Price > 0, $"price term {terms.Price}");
        Assert.Equal(terms.Price + terms.Time + terms.Risk + terms.Transfer + terms.Carbon, terms.Total, 1e-9);
        Assert.All(task.RunnersUp, r => Assert.True(r.Terms.Total >= 0 && r.ProbeId != task.Winner.ProbeId && r.Note.Length > 0, r.ToString()));
        Assert.True(task.PaidPrice > 0, $"paid {task.PaidPrice}");
        Assert.NotEmpty(task.PaymentRule);
        Assert.NotEmpty(task.Solver);
        Assert.Contains("expected cost", task.Summary, StringComparison.Ordinal);
        Assert.Empty(task.DeferralReason);
        // The models behind the terms: runtime p50/p90 on the winner, its loss risk, the critical-path weight (the
        // reduce is the workflow's last task: it has no slack).
        Assert.True(task.Winner.PredictedSeconds > 0 && task.Winner.PredictedP90Seconds >= task.Winner.PredictedSeconds, task.Winner.ToString());
        Assert.InRange(task.Winner.LossProbability, 0, 0.999);
        Assert.All(task.RunnersUp, r => Assert.True(r.PredictedSeconds > 0, r.ToString()));
        Assert.Equal(0, task.SlackSeconds);
        Assert.True(task.Parallelism >= 1 && task.FastestSeconds > 0, task.ToString());

        var wf = (await client.ExplainAsync(id)).Workflow;
        Assert.NotNull(wf);
        Assert.Equal(WorkflowState.Succeeded, wf.State);
        Assert.Equal("explained", wf.Name);
        Assert.Equal(final.Tasks.Sum(t => t.Cost), wf.Spent, 1e-9); // a tolerance, not decimal places: rounding at the ninth place flips on the last bit
        Assert.Equal(wf.Spent, wf.SpentByProbe.Sum(p => p.Spent), 1e-9);
        Assert.Equal(final.Tasks.Count, wf.SpentByProbe.Sum(p => p.Tasks));
        Assert.Equal(0.0, wf.Reserved, 1e-9);
        Assert.True(wf.Expected.Total > 0, $"expected {wf.Expected}");
        Assert.Empty(wf.Waiting);

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["explain", id, "total", .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("winner", stdout, StringComparison.Ordinal);
        Assert.Contains(total.ProbeId, stdout, StringComparison.Ordinal);
        Assert.Contains("payment rule", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await SwarmBinary.RunAsync(["explain", id, .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("Spend per probe", stdout, StringComparison.Ordinal);
        Assert.Contains("Expected cost by term", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = await SwarmBinary.RunAsync(["explain", id, "total", "--json", .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        var parsed = JsonParser.Default.Parse<ExplainReply>(stdout);
        Assert.Equal(task, parsed.Task);
    }

    [Fact]
    public async Task Explain_ConstraintNoProbeMeets_TaskPendingWithConstraintNamingTheRule()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        cluster.StartProbe("earthling", "--max-cores", "1");
        await cluster.WaitForProbesAsync("earthling");

        var b = new WorkflowBuilder("to-mars") { Constraints = new PlacementConstraints { Regions = ["mars"] } };
        b.Add(Echo("first", 1));
        b.Reduce(Echo("second", 2), ["first"]);
        using var client = cluster.Client();
        var id = await client.SubmitAsync(b.Build());

        var first = await Eventually.WaitAsync(async () =>
        {
            var t = (await client.ExplainAsync(id, "first")).Task;
            // A round may also close before the probe's bid arrives (NoBid); the next one sees the bid and the rule.
            return t.DeferralReason == "Constraint" ? t : null;
        }, TimeSpan.FromSeconds(60), "an auction round to defer the task for its constraint\n" + cluster.Log);
        Assert.Equal(TaskState.Ready, first.State);
        Assert.Equal("Constraint", first.DeferralReason);
        Assert.Contains("regions", first.DeferralDetail, StringComparison.Ordinal);
        Assert.Contains("mars", first.DeferralDetail, StringComparison.Ordinal);
        Assert.Null(first.Winner);
        Assert.Empty(first.ProbeId);

        var second = (await client.ExplainAsync(id, "second")).Task;
        Assert.Equal(TaskState.Pending, second.State);
        Assert.Equal("first", Assert.Single(second.WaitingFor));

        var wf = (await client.ExplainAsync(id)).Workflow;
        Assert.Equal(1, wf.Waiting["Constraint"]);
        Assert.Equal(1, wf.Waiting["waiting for parents"]);
        Assert.Contains("mars", wf.Constraints, StringComparison.Ordinal);
        Assert.Equal(0.0, wf.Spent);

        var (code, stdout, stderr) = await SwarmBinary.RunAsync(["explain", id, "first", .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("Constraint", stdout, StringComparison.Ordinal);
        Assert.Contains("mars", stdout, StringComparison.Ordinal);

        await client.CancelAsync(id);
        var cancelled = await client.GetAsync(id);
        Assert.Equal(WorkflowState.Cancelled, cancelled.State);
    }

    [Fact]
    public async Task Explain_UnknownWorkflowOrTask_NotFoundNamingItAndCliExitCode2()
    {
        await using var cluster = new SwarmCluster();
        await cluster.StartDirectorAsync();
        using var client = cluster.Client();

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ExplainAsync("wf-nope"));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("wf-nope", ex.Status.Detail, StringComparison.Ordinal);

        var id = await client.SubmitAsync(new WorkflowBuilder("one").Add(Echo("only", 1)).Build());
        ex = await Assert.ThrowsAsync<RpcException>(() => client.ExplainAsync(id, "ghost"));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains("ghost", ex.Status.Detail, StringComparison.Ordinal);

        ex = await Assert.ThrowsAsync<RpcException>(() => client.ExplainAsync(""));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);

        var (code, _, stderr) = await SwarmBinary.RunAsync(["explain", "wf-nope", .. cluster.Connection], TimeSpan.FromSeconds(60));
        Assert.Equal(2, code);
        Assert.Contains("wf-nope", stderr, StringComparison.Ordinal);
    }

    private static MicroTaskSpec Echo(string id, long n) => new()
    {
        Id = id,
        Kind = TaskKind.Function,
        Function = "echo",
        Input = Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Resources = new ResourceVector(500, 16),
    };
}
