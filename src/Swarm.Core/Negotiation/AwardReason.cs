using System.Globalization;
using System.Text;
using Swarm.Core.Model;

namespace Swarm.Core.Negotiation;

/// <summary>Why a class of tasks went to one bid line: the winner's terms, the runners-up, the rule it was paid by and the solver.</summary>
public sealed class AwardReason
{
    private string? _text;

    /// <summary>The round.</summary>
    public required long Round { get; init; }

    /// <summary>The winning line.</summary>
    public required CandidateCost Winner { get; init; }

    /// <summary>The next cheapest admissible lines for the same tasks (up to 3).</summary>
    public required IReadOnlyList<CandidateCost> RunnersUp { get; init; }

    /// <summary>The objective that weighed the terms.</summary>
    public required Objective Objective { get; init; }

    /// <summary>The payment rule applied.</summary>
    public required string PaymentRule { get; init; }

    /// <summary>Price per core-second paid.</summary>
    public required double PaidPrice { get; init; }

    /// <summary>Solver and its gap, e.g. "min-cost-flow, optimal".</summary>
    public required string Solver { get; init; }

    /// <summary>What the time term weighed: the tasks' slack on their workflow's critical path, the fastest admissible
    /// bid's seconds and the workflow's parallelism (what one second of its delay is worth, in cores).</summary>
    public Scoring.TimeContext Time { get; init; }

    /// <summary>The explanation sentence.</summary>
    public string Text => _text ??= Format();

    private string Format()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var w = Winner.Breakdown;
        sb.Append(ci, $"lowest expected cost {w.Total:0.######} ({Terms(w)}; objective {Objective})");
        sb.Append(ci, $"; asked {Winner.AskedPrice:0.######}/core-s, paid {PaidPrice:0.######} ({PaymentRule})");
        if (Winner.PredictedSeconds > 0)
        {
            sb.Append(ci, $"; predicted {Winner.PredictedSeconds:0.##} s (p90 {Winner.PredictedP90Seconds:0.##} s), P(loss) {Winner.LossProbability:0.###}");
            if (Time.SlackSeconds > 0)
            {
                sb.Append(ci, $", slack {Time.SlackSeconds:0.#} s");
            }
            else
            {
                sb.Append(", on the critical path");
            }
        }
        if (RunnersUp.Count == 0)
        {
            sb.Append("; no other bidder could take it");
        }
        else
        {
            var r = RunnersUp[0];
            sb.Append(ci, $"; runner-up {r.ProbeId} {r.Breakdown.Total:0.######}");
            if (r.Note.Length > 0)
            {
                sb.Append(ci, $" ({r.Note})");
            }
        }

        sb.Append(ci, $"; {Solver}");
        return sb.ToString();
    }

    /// <summary>Formats the non-zero terms, e.g. "price 0.01, time 0.002".</summary>
    public static string Terms(Scoring.CostBreakdown b) =>
        string.Join(", ", b.Terms.Where(t => t.Value > 0).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:0.######}")).DefaultIfEmpty("all 0"));
}
