using Swarm.Simulation.Scenarios;

namespace Swarm.Simulation.Reporting;

/// <summary>
/// Limits no policy can beat on the scenario (see <see cref="ScenarioRunner.LowerBounds"/>): the report divides each
/// policy's mean by them to show how far it is from the best possible.
/// </summary>
/// <param name="MakespanSeconds">Makespan bound, seconds: latest arrival plus critical path on the fastest machine, or all the work spread over every core.</param>
/// <param name="Cost">Cost bound: every task on its cheapest machine, capacity ignored.</param>
public sealed record ReportBounds(double MakespanSeconds, double Cost)
{
    /// <summary>The runner's bounds; the one place that reads <see cref="ScenarioRunner.LowerBounds"/>.</summary>
    public static ReportBounds Of(ScenarioRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var (makespan, cost) = runner.LowerBounds();
        return new ReportBounds(makespan, cost);
    }
}
