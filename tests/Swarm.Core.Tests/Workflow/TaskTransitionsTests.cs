using Swarm.Core.Workflow;

namespace Swarm.Core.Tests.Workflow;

public sealed class TaskTransitionsTests
{
    /// <summary>The whole table: every allowed transition, and nothing else.</summary>
    private static readonly (TaskState From, TaskState To)[] AllowedTable =
    [
        (TaskState.Pending, TaskState.Ready),
        (TaskState.Pending, TaskState.Failed),
        (TaskState.Pending, TaskState.Cancelled),
        (TaskState.Ready, TaskState.Awarded),
        (TaskState.Ready, TaskState.Running),
        (TaskState.Ready, TaskState.Succeeded),
        (TaskState.Ready, TaskState.Failed),
        (TaskState.Ready, TaskState.Cancelled),
        (TaskState.Awarded, TaskState.Running),
        (TaskState.Awarded, TaskState.Ready),
        (TaskState.Awarded, TaskState.Succeeded),
        (TaskState.Awarded, TaskState.Failed),
        (TaskState.Awarded, TaskState.Cancelled),
        (TaskState.Running, TaskState.Succeeded),
        (TaskState.Running, TaskState.Ready),
        (TaskState.Running, TaskState.Awarded),
        (TaskState.Running, TaskState.Failed),
        (TaskState.Running, TaskState.Cancelled),
    ];

    public static TheoryData<TaskState, TaskState> Allowed()
    {
        var data = new TheoryData<TaskState, TaskState>();
        foreach (var (from, to) in AllowedTable)
        {
            data.Add(from, to);
        }

        return data;
    }

    public static TheoryData<TaskState, TaskState> Refused() => new()
    {
        { TaskState.Pending, TaskState.Awarded },
        { TaskState.Pending, TaskState.Running },
        { TaskState.Pending, TaskState.Succeeded },
        { TaskState.Pending, TaskState.Pending },
        { TaskState.Ready, TaskState.Pending },
        { TaskState.Ready, TaskState.Ready },
        { TaskState.Awarded, TaskState.Pending },
        { TaskState.Awarded, TaskState.Awarded },
        { TaskState.Running, TaskState.Pending },
        { TaskState.Running, TaskState.Running },
        { TaskState.Succeeded, TaskState.Ready },
        { TaskState.Failed, TaskState.Ready },
        { TaskState.Cancelled, TaskState.Running },
    };

    public static TheoryData<TaskState> Terminal() => new() { TaskState.Succeeded, TaskState.Failed, TaskState.Cancelled };

    public static TheoryData<TaskState> NonTerminal() => new() { TaskState.Pending, TaskState.Ready, TaskState.Awarded, TaskState.Running };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void TryApply_AllowedTransition_ReturnsNewState(TaskState from, TaskState to)
    {
        var result = TaskTransitions.TryApply(from, to);

        Assert.Equal(TransitionResult.Ok(to), result);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryApply_RefusedTransition_ReturnsRejectionNamingBothStates(TaskState from, TaskState to)
    {
        var result = TaskTransitions.TryApply(from, to);

        Assert.False(result.Succeeded);
        Assert.Equal($"illegal task transition {from} -> {to}", result.Reason);
    }

    [Fact]
    public void TryApply_EveryPairOutsideTheTable_IsRefused()
    {
        var unexpected = new List<string>();
        foreach (var from in Enum.GetValues<TaskState>())
        {
            foreach (var to in Enum.GetValues<TaskState>())
            {
                var allowed = AllowedTable.Contains((from, to));
                if (TaskTransitions.TryApply(from, to).Succeeded != allowed)
                {
                    unexpected.Add($"{from} -> {to}");
                }
            }
        }

        Assert.Empty(unexpected);
    }

    [Theory]
    [MemberData(nameof(Terminal))]
    public void TryApply_FromTerminalState_RefusesEveryTarget(TaskState from)
    {
        var exits = Enum.GetValues<TaskState>().Where(to => TaskTransitions.TryApply(from, to).Succeeded);

        Assert.Empty(exits);
    }

    [Theory]
    [MemberData(nameof(Terminal))]
    public void IsTerminal_TerminalState_ReturnsTrue(TaskState state)
    {
        Assert.True(TaskTransitions.IsTerminal(state));
    }

    [Theory]
    [MemberData(nameof(NonTerminal))]
    public void IsTerminal_NonTerminalState_ReturnsFalse(TaskState state)
    {
        Assert.False(TaskTransitions.IsTerminal(state));
    }
}
