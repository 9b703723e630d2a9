using System.Globalization;
using Swarm.Client;
using Swarm.Core.Model;

namespace Swarm.Cli.Chaos;

/// <summary>
/// The chaos run's application: one seed task fans out to groups of leaves, each group fans in to a sum, and the
/// sums fan in to a total. Every value is known in advance, so every committed output can be checked. Each
/// execution appends "task attempt" to a log, so re-executions are counted. One long task per group checkpoints
/// (or not, to compare) so lost work can be measured both ways.
/// </summary>
internal sealed class ChaosWorkflow
{
    public const int Seed = 7;

    private ChaosWorkflow(Core.Model.WorkflowSpec spec, IReadOnlyDictionary<string, long> expected)
    {
        Spec = spec;
        Expected = expected;
    }

    public Core.Model.WorkflowSpec Spec { get; }

    /// <summary>The output every task must commit, by task id.</summary>
    public IReadOnlyDictionary<string, long> Expected { get; }

    /// <summary>Builds about <paramref name="tasks"/> tasks; executions are logged to <paramref name="executionLog"/>. Every
    /// <paramref name="longEvery"/>-th leaf of a group is a 2 s task (0: only the first).</summary>
    public static ChaosWorkflow Create(int tasks, string executionLog, bool checkpoints, int seed, int longEvery = 0)
    {
        var groups = Math.Max(1, (int)Math.Round(Math.Sqrt(tasks / 1.2)));
        var leaves = Math.Max(1, (tasks - 2 - groups) / groups);
        var random = new Random(seed);
        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        var log = Quote(executionLog);
        var b = new WorkflowBuilder("chaos");
        b.Add(Exec("seed", $"echo \"$SWARM_TASK_ID $SWARM_ATTEMPT\" >> {log}; echo {Seed}", 0.05));
        expected["seed"] = Seed;
        var sums = new List<string>();
        for (var g = 0; g < groups; g++)
        {
            var ids = new List<string>();
            long groupSum = 0;
            for (var i = 0; i < leaves; i++)
            {
                var id = $"g{g}-t{i}";
                var add = (g * 1000) + i;
                string script;
                double estimate;
                if (longEvery > 0 ? i % longEvery == 0 : i == 0)
                {
                    // The long task of the group: 20 steps of 0.1 s, saving its step after each when checkpointing.
                    script = $"""
                        echo "$SWARM_TASK_ID $SWARM_ATTEMPT" >> {log}
                        i=0
                        [ -f "$SWARM_CHECKPOINT_DIR/step" ] && i=$(cat "$SWARM_CHECKPOINT_DIR/step")
                        while [ $i -lt 20 ]; do
                          sleep 0.1; i=$((i+1))
                          {(checkpoints ? "echo $i > \"$SWARM_CHECKPOINT_DIR/step.tmp\" && mv \"$SWARM_CHECKPOINT_DIR/step.tmp\" \"$SWARM_CHECKPOINT_DIR/step\"; echo \"##swarm checkpoint 0.$i\"" : ":")}
                        done
                        echo $(( $(cat "$SWARM_INPUTS/seed") + {add} ))
                        """;
                    estimate = 2;
                }
                else
                {
                    var ms = random.Next(20, 200);
                    script = $"echo \"$SWARM_TASK_ID $SWARM_ATTEMPT\" >> {log}; sleep {(ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)}; echo $(( $(cat \"$SWARM_INPUTS/seed\") + {add} ))";
                    estimate = ms / 1000.0;
                }

                b.Add(Exec(id, script, estimate, "seed"));
                expected[id] = Seed + add;
                groupSum += Seed + add;
                ids.Add(id);
            }

            var sum = $"g{g}-sum";
            b.Add(Exec(sum, $"echo \"$SWARM_TASK_ID $SWARM_ATTEMPT\" >> {log}; cat \"$SWARM_INPUTS\"/g{g}-t* | awk '{{s+=$1}} END {{print s}}'", 0.05, [.. ids]));
            expected[sum] = groupSum;
            sums.Add(sum);
        }

        b.Add(Exec("total", $"echo \"$SWARM_TASK_ID $SWARM_ATTEMPT\" >> {log}; cat \"$SWARM_INPUTS\"/g*-sum | awk '{{s+=$1}} END {{print s}}'", 0.05, [.. sums]));
        expected["total"] = sums.Sum(s => expected[s]);
        return new ChaosWorkflow(b.Build(new Core.Workflow.WorkflowLimits { MaxTasks = 1_000_000 }), expected);
    }

    private static MicroTaskSpec Exec(string id, string script, double estimate, params string[] parents) => new()
    {
        Id = id,
        Kind = TaskKind.Exec,
        Command = "/bin/sh",
        Args = ["-c", script],
        Resources = new ResourceVector(1000, 16),
        EstimatedSeconds = estimate,
        MaxAttempts = 10,
        DependsOn = parents,
    };

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
