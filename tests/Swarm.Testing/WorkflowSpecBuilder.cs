using Swarm.Core.Model;

namespace Swarm.Testing;

/// <summary>Fluent builder of valid <see cref="WorkflowSpec"/>s; every task defaults to <see cref="TaskSpecs.Exec"/>.</summary>
public sealed class WorkflowSpecBuilder
{
    private readonly List<MicroTaskSpec> _tasks = [];
    private string _name;
    private string _tenant = "default";
    private Objective _objective = Objective.Balanced;
    private double _budget;
    private double _deadlineSeconds;

    /// <summary>Starts a workflow called <paramref name="name"/>.</summary>
    public WorkflowSpecBuilder(string name = "test-workflow")
    {
        _name = name;
    }

    /// <summary>Sets the name.</summary>
    public WorkflowSpecBuilder WithName(string name)
    {
        _name = name;
        return this;
    }

    /// <summary>Sets the tenant.</summary>
    public WorkflowSpecBuilder WithTenant(string tenant)
    {
        _tenant = tenant;
        return this;
    }

    /// <summary>Adds an exec task depending on <paramref name="dependsOn"/>.</summary>
    public WorkflowSpecBuilder WithTask(string id, params string[] dependsOn) => WithTask(TaskSpecs.Exec(id, dependsOn));

    /// <summary>Adds an exec task, adjusted by <paramref name="configure"/>.</summary>
    public WorkflowSpecBuilder WithTask(string id, Func<MicroTaskSpec, MicroTaskSpec> configure, params string[] dependsOn)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return WithTask(configure(TaskSpecs.Exec(id, dependsOn)));
    }

    /// <summary>Adds <paramref name="task"/> as given.</summary>
    public WorkflowSpecBuilder WithTask(MicroTaskSpec task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _tasks.Add(task);
        return this;
    }

    /// <summary>Adds exec tasks where each depends on the one before.</summary>
    public WorkflowSpecBuilder WithChain(params string[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        for (var i = 0; i < ids.Length; i++)
        {
            WithTask(i == 0 ? TaskSpecs.Exec(ids[i]) : TaskSpecs.Exec(ids[i], ids[i - 1]));
        }

        return this;
    }

    /// <summary>Replaces an already added task by <paramref name="configure"/>(task).</summary>
    public WorkflowSpecBuilder Configure(string id, Func<MicroTaskSpec, MicroTaskSpec> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var i = _tasks.FindIndex(t => t.Id == id);
        if (i < 0)
        {
            throw new InvalidOperationException($"no task '{id}' in the builder");
        }

        _tasks[i] = configure(_tasks[i]);
        return this;
    }

    /// <summary>Sets the objective.</summary>
    public WorkflowSpecBuilder WithObjective(Objective objective)
    {
        _objective = objective;
        return this;
    }

    /// <summary>Sets the budget (0 = unlimited).</summary>
    public WorkflowSpecBuilder WithBudget(double budget)
    {
        _budget = budget;
        return this;
    }

    /// <summary>Sets the deadline in seconds after submission (0 = none).</summary>
    public WorkflowSpecBuilder WithDeadline(double seconds)
    {
        _deadlineSeconds = seconds;
        return this;
    }

    /// <summary>Builds the spec (tasks in the order they were added).</summary>
    public WorkflowSpec Build() => new()
    {
        Name = _name,
        Tenant = _tenant,
        Tasks = _tasks.ToList(),
        Objective = _objective,
        Budget = _budget,
        DeadlineSeconds = _deadlineSeconds,
    };
}
