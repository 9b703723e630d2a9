using Swarm.Core.Intelligence;
using Swarm.Core.Model;
using Swarm.Core.Statistics;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Evaluation;

/// <summary>One runtime model's error on one application's held-out instances.</summary>
/// <param name="Application">The application.</param>
/// <param name="Model">The model.</param>
/// <param name="Instances">Instances held out in turn.</param>
/// <param name="Tasks">Tasks scored (those that took at least <see cref="RuntimeEvaluation.MinSeconds"/>).</param>
/// <param name="MedianApe">Median absolute percentage error.</param>
/// <param name="MeanApe">Mean absolute percentage error.</param>
public sealed record RuntimeEvaluationRow(string Application, string Model, int Instances, int Tasks, double MedianApe, double MeanApe);

/// <summary>
/// Runtime prediction on WfCommons instances held out from training, as a director would meet them: for each instance in
/// turn, a model is trained on every other instance, then the held-out one is replayed level by level of its DAG (a
/// level's tasks can run together): every task of a level is predicted before any of them is observed, then the level's
/// runtimes are learned. Tasks shorter than <see cref="MinSeconds"/> are not scored (a percentage of a tenth of a second
/// says nothing a scheduler would act on). Models: the hierarchical model, the plain running average per category, the
/// hierarchical model without online updates (the prior alone), and a floor no model of the category alone can beat:
/// each task predicted by the geometric mean of the other tasks of its category in its own instance (hindsight).
/// </summary>
public static class RuntimeEvaluation
{
    /// <summary>Shortest recorded runtime scored, seconds.</summary>
    public const double MinSeconds = 1;

    /// <summary>The models compared, by name.</summary>
    public static IReadOnlyList<string> Models { get; } = ["hierarchical", "running mean", "prior only", Floor];

    /// <summary>The hindsight floor's name.</summary>
    public const string Floor = "own-instance mean (floor)";

    /// <summary>Evaluates every application with at least two instances; rows per application and model, then "all" per model.</summary>
    public static IReadOnlyList<RuntimeEvaluationRow> Run(IReadOnlyList<(string Path, WfCommonsInstance Instance)> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var byApp = instances.GroupBy(i => WfCommonsLoader.ApplicationOf(i.Path), StringComparer.Ordinal).Where(g => g.Count() >= 2).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var errors = Models.ToDictionary(m => m, _ => new Dictionary<string, List<double>>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var app in byApp)
        {
            foreach (var (path, held) in app)
            {
                foreach (var model in Models)
                {
                    if (model == Floor)
                    {
                        (errors[model].TryGetValue(app.Key, out var f) ? f : errors[model][app.Key] = []).AddRange(Hindsight(held));
                        continue;
                    }

                    var options = new RuntimeModelOptions { Kind = model == "running mean" ? RuntimeModelKind.RunningMean : RuntimeModelKind.Hierarchical };
                    var trained = new RuntimeModel(options);
                    foreach (var (other, instance) in instances.Where(i => !ReferenceEquals(i.Instance, held)))
                    {
                        foreach (var t in instance.Spec.Tasks)
                        {
                            trained.Observe(other, t.Category, 0, instance.ActualSeconds.GetValueOrDefault(t.Id));
                        }

                        trained.Forget(other);
                    }

                    var list = errors[model].TryGetValue(app.Key, out var l) ? l : errors[model][app.Key] = [];
                    list.AddRange(Replay(held, trained, learn: model != "prior only"));
                }
            }
        }

        var rows = new List<RuntimeEvaluationRow>();
        foreach (var app in byApp)
        {
            rows.AddRange(Models.Select(m => Row(app.Key, m, app.Count(), errors[m][app.Key])));
        }

        rows.AddRange(Models.Select(m => Row("all", m, byApp.Sum(a => a.Count()), [.. errors[m].Values.SelectMany(v => v)])));
        return rows;
    }

    private static RuntimeEvaluationRow Row(string app, string model, int instances, List<double> apes) =>
        new(app, model, instances, apes.Count, apes.Count == 0 ? double.NaN : Percentiles.Median(apes), apes.Count == 0 ? double.NaN : apes.Average());

    /// <summary>Each task (of at least <see cref="MinSeconds"/>) against the geometric mean of its category's other tasks in the instance.</summary>
    private static List<double> Hindsight(WfCommonsInstance held)
    {
        var apes = new List<double>();
        foreach (var category in held.Spec.Tasks.GroupBy(t => t.Category, StringComparer.Ordinal))
        {
            var logs = category.Select(t => Math.Log(Math.Max(1e-3, held.ActualSeconds.GetValueOrDefault(t.Id)))).ToList();
            if (logs.Count < 2)
            {
                continue;
            }

            var sum = logs.Sum();
            foreach (var t in category)
            {
                var actual = held.ActualSeconds.GetValueOrDefault(t.Id);
                if (actual >= MinSeconds)
                {
                    var predicted = Math.Exp((sum - Math.Log(Math.Max(1e-3, actual))) / (logs.Count - 1));
                    apes.Add(Math.Abs(predicted - actual) / actual);
                }
            }
        }

        return apes;
    }

    /// <summary>The held-out instance level by level; each task's absolute percentage error when it was predicted.</summary>
    private static List<double> Replay(WfCommonsInstance held, RuntimeModel model, bool learn)
    {
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in Dag.TopologicalOrder(held.Spec))
        {
            level[t.Id] = t.DependsOn.Count == 0 ? 0 : t.DependsOn.Max(d => level[d]) + 1;
        }

        var apes = new List<double>();
        foreach (var wave in held.Spec.Tasks.GroupBy(t => level[t.Id]).OrderBy(g => g.Key))
        {
            var tasks = wave.ToList();
            var predicted = tasks.Select(t => model.Predict("held-out", t.Category, 0).P50Seconds).ToList();
            for (var i = 0; i < tasks.Count; i++)
            {
                var actual = held.ActualSeconds.GetValueOrDefault(tasks[i].Id);
                if (actual >= MinSeconds)
                {
                    apes.Add(Math.Abs(predicted[i] - actual) / actual);
                }
            }

            if (learn)
            {
                foreach (MicroTaskSpec t in tasks)
                {
                    model.Observe("held-out", t.Category, 0, held.ActualSeconds.GetValueOrDefault(t.Id));
                }
            }
        }

        return apes;
    }
}
