using System.Globalization;
using System.Text;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Testing;

/// <summary>
/// Canonical, value-based text of engine commands. Records holding lists compare by reference, so tests that
/// compare command sequences (determinism, replay) compare these strings instead. Doubles print round-trip.
/// </summary>
public static class CommandFormatter
{
    /// <summary>One line per command.</summary>
    public static string Format(IEnumerable<DirectorCommand> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var sb = new StringBuilder();
        foreach (var c in commands)
        {
            sb.Append(Format(c)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The canonical text of one command.</summary>
    public static string Format(DirectorCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            DirectorCommand.WorkflowAccepted c => $"WorkflowAccepted {c.WorkflowId} name={c.Spec.Name} tasks={string.Join(",", c.Spec.Tasks.Select(t => t.Id))} at={T(c.At)}",
            DirectorCommand.AttemptStarted c => $"AttemptStarted {c.Attempt} probe={c.ProbeId} price={D(c.UnitPrice)} why={c.Explanation}",
            DirectorCommand.ResultCommitted c => $"ResultCommitted {c.Attempt} probe={c.ProbeId} {Result(c.Result)} price={D(c.UnitPrice)} cost={D(c.Cost)}",
            DirectorCommand.AttemptFailed c => $"AttemptFailed {c.Attempt} probe={c.ProbeId} failures={c.Failures} final={c.Final} reason={c.Reason}",
            DirectorCommand.WorkflowFinished c => $"WorkflowFinished {c.WorkflowId} {c.State} at={T(c.At)} reason={c.Reason}",
            DirectorCommand.SendCallForBids c => $"SendCallForBids [{string.Join(",", c.ProbeIds)}] {Call(c.Call)}",
            DirectorCommand.SendAward c => $"SendAward {c.ProbeId} {c.AwardId} round={c.Round} [{string.Join("; ", c.Items.Select(AwardItem))}]",
            DirectorCommand.Dispatch c => $"Dispatch {c.ProbeId} [{string.Join("; ", c.Items.Select(DispatchItem))}]",
            DirectorCommand.CancelAttempts c => $"CancelAttempts {c.ProbeId} [{string.Join(",", c.Attempts)}] reason={c.Reason}",
            DirectorCommand.AckResults c => $"AckResults {c.ProbeId} [{string.Join(",", c.Attempts)}]",
            DirectorCommand.RejectBid c => $"RejectBid {c.ProbeId} round={c.Round} reason={c.Reason}",
            DirectorCommand.DisconnectProbe c => $"DisconnectProbe {c.ProbeId} conn={c.ConnectionId} reason={c.Reason}",
            DirectorCommand.SendDrain c => $"SendDrain {c.ProbeId} reason={c.Reason}",
            DirectorCommand.Rejected c => $"Rejected {c.Code} {c.Message}",
            DirectorCommand.AuctionCleared c => $"AuctionCleared {Trace(c.Trace)}",
            DirectorCommand.WorkflowChanged c => $"WorkflowChanged {c.WorkflowId}",
            _ => $"{command.GetType().Name} {command}",
        };
    }

    /// <summary>The canonical text of an auction trace.</summary>
    public static string Trace(AuctionTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        return $"round={trace.Round} at={T(trace.ClearedAt)} called={trace.Called} bids={trace.BidsReceived}"
            + $" rejections=[{string.Join("; ", trace.Rejections.Select(r => $"{r.ProbeId}/{r.DemandIndex} {r.Reason} {r.Detail}"))}]"
            + $" solver={trace.Solver} gap={D(trace.Gap)} classes={trace.Classes} arcs={trace.Arcs} payment={trace.PaymentRule}"
            + $" awards=[{string.Join("; ", trace.Awards.Select(a => $"{a.Attempt}->{a.ProbeId} d{a.DemandIndex} price={D(a.UnitPrice)} cost={D(a.ExpectedCost)} total={D(a.Breakdown.Total)} {a.Explanation}"))}]"
            + $" deferred=[{string.Join("; ", trace.Deferred.Select(d => $"{d.WorkflowId}/{d.TaskId} {d.Reason} {d.Detail}"))}]";
    }

    private static string Call(CallForBids call) =>
        $"round={call.Round} deadline={T(call.Deadline)} demands=[{string.Join("; ", call.Demands.Select(d => $"{d.Index}:{d.Shape} {d.Kind} fn={d.Function} n={d.Count} est={D(d.EstimatedSeconds)}"))}]";

    private static string AwardItem(AwardItem i) => $"{i.Attempt} d{i.DemandIndex} {i.Resources} price={D(i.UnitPrice)}";

    private static string DispatchItem(DispatchItem i) =>
        $"{i.Attempt} task={i.Spec.Id} parents={{{string.Join(",", i.ParentOutputs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={Convert.ToHexString(kv.Value)}"))}}}";

    private static string Result(TaskResult r) =>
        $"success={r.Success} exit={r.ExitCode} out={Convert.ToHexString(r.Output)} err={r.Error} stderr={r.Stderr} runtime={D(r.RuntimeSeconds)}";

    private static string D(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static string T(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);
}
