using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Testing;

namespace Swarm.Core.Tests.Workflow;

public sealed class WorkflowValidatorTests
{
    private static WorkflowSpecBuilder Valid() => new WorkflowSpecBuilder("etl").WithTask("a").WithTask("b", "a").WithTask("c", "a", "b");

    private static IReadOnlyList<string> Validate(WorkflowSpec spec, WorkflowLimits? limits = null) =>
        WorkflowValidator.Validate(spec, limits ?? WorkflowLimits.Default);

    [Fact]
    public void Validate_ValidSpec_ReturnsNoErrors()
    {
        Assert.Empty(Validate(Valid().Build()));
    }

    [Fact]
    public void Validate_ValidFunctionTask_ReturnsNoErrors()
    {
        var spec = new WorkflowSpecBuilder().WithTask(TaskSpecs.Function("f", "resize")).Build();

        Assert.Empty(Validate(spec));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_EmptyName_ReportsName(string name)
    {
        var errors = Validate(Valid().WithName(name).Build());

        Assert.Equal(["workflow name must be 1 to 200 characters"], errors);
    }

    [Fact]
    public void Validate_NameOver200Characters_ReportsName()
    {
        var errors = Validate(Valid().WithName(new string('n', 201)).Build());

        Assert.Equal(["workflow name must be 1 to 200 characters"], errors);
    }

    [Fact]
    public void Validate_NoTasks_ReportsNoTasks()
    {
        var errors = Validate(new WorkflowSpecBuilder().Build());

        Assert.Equal(["workflow has no tasks"], errors);
    }

    [Fact]
    public void Validate_DuplicateIds_ReportsDuplicate()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a").WithTask("a").Build());

        Assert.Equal(["task 'a': duplicate task id"], errors);
    }

    [Fact]
    public void Validate_UnknownDependency_NamesTaskAndDependency()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", "ghost").Build());

        Assert.Equal(["task 'a': depends on unknown task 'ghost'"], errors);
    }

    [Fact]
    public void Validate_SelfDependency_ReportsSelfDependency()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", "a").Build());

        Assert.Equal(["task 'a': depends on itself"], errors);
    }

    [Fact]
    public void Validate_ThreeTaskCycle_ReportsCyclePath()
    {
        // a needs b, b needs c, c needs a.
        var spec = new WorkflowSpecBuilder().WithTask("a", "b").WithTask("b", "c").WithTask("c", "a").Build();

        var errors = Validate(spec);

        Assert.Equal(["the task graph has a cycle: a -> b -> c -> a"], errors);
    }

    [Fact]
    public void FindCycle_AcyclicGraph_ReturnsNull()
    {
        Assert.Null(WorkflowValidator.FindCycle(Valid().Build().Tasks));
    }

    [Fact]
    public void FindCycle_CycleBehindAcyclicPrefix_ReturnsOnlyTheCycle()
    {
        var spec = new WorkflowSpecBuilder().WithTask("a", "x").WithTask("x", "y").WithTask("y", "x").Build();

        Assert.Equal(["x", "y", "x"], WorkflowValidator.FindCycle(spec.Tasks));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("slash/id")]
    [InlineData("ümlaut")]
    [InlineData("")]
    public void Validate_BadIdCharacters_ReportsId(string id)
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask(id).Build());

        Assert.Equal([$"task '{id}': id must be 1-128 letters, digits, '-', '_' or '.'"], errors);
    }

    [Fact]
    public void Validate_IdOf129Characters_ReportsId()
    {
        var id = new string('x', 129);

        var errors = Validate(new WorkflowSpecBuilder().WithTask(id).Build());

        Assert.Equal([$"task '{id}': id must be 1-128 letters, digits, '-', '_' or '.'"], errors);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A-b_c.9")]
    public void IsValidId_AllowedCharacters_ReturnsTrue(string id)
    {
        Assert.True(WorkflowValidator.IsValidId(id));
    }

    [Fact]
    public void Validate_ExecWithoutCommand_ReportsCommand()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { Command = " " }).Build());

        Assert.Equal(["task 'a': exec task needs a command"], errors);
    }

    [Fact]
    public void Validate_FunctionWithoutFunctionName_ReportsFunction()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask(TaskSpecs.Function("f", "")).Build());

        Assert.Equal(["task 'f': function task needs a function name"], errors);
    }

    [Fact]
    public void Validate_UnknownKind_ReportsKind()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { Kind = (TaskKind)9 }).Build());

        Assert.Equal(["task 'a': unknown kind '9' (use exec or function)"], errors);
    }

    [Fact]
    public void Validate_NegativeResources_ReportsResources()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { Resources = new ResourceVector(-1, 128) }).Build());

        Assert.Equal(["task 'a': resources must not be negative (cpu=-1m mem=128MiB)"], errors);
    }

    [Fact]
    public void Validate_ResourcesOverLimit_ReportsLimit()
    {
        var limits = new WorkflowLimits { MaxCpuMillis = 2000 };

        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { Resources = new ResourceVector(2001, 128) }).Build(), limits);

        Assert.Single(errors);
        Assert.StartsWith("task 'a': resources cpu=2001m mem=128MiB exceed the limit", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MoreTasksThanLimit_ReportsCountAndLimit()
    {
        var limits = new WorkflowLimits { MaxTasks = 2 };

        var errors = Validate(Valid().Build(), limits);

        Assert.Equal(["workflow has 3 tasks; the limit is 2"], errors);
    }

    [Fact]
    public void Validate_PayloadOverLimit_ReportsSizeAndLimit()
    {
        var limits = new WorkflowLimits { MaxTaskPayloadBytes = 64 };

        // "echo" (4) + arg "a" (1) + 60 bytes of stdin = 65.
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { Stdin = new byte[60] }).Build(), limits);

        Assert.Equal(["task 'a': payload is 65 bytes; the limit is 64"], errors);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1)]
    public void Validate_BadBudget_ReportsBudget(double budget)
    {
        var errors = Validate(Valid().WithBudget(budget).Build());

        Assert.Equal([$"budget must be a finite number >= 0 (got {budget})"], errors);
    }

    [Fact]
    public void Validate_NaNDeadline_ReportsDeadline()
    {
        var errors = Validate(Valid().WithDeadline(double.NaN).Build());

        Assert.Equal(["deadline must be a finite number of seconds >= 0 (got NaN)"], errors);
    }

    [Fact]
    public void Validate_NegativeObjectiveWeight_ReportsObjective()
    {
        var errors = Validate(Valid().WithObjective(new Objective(-1, 1, 1, 1, 1)).Build());

        Assert.Equal(["objective.price must be a finite number between 0 and 1000000 (got -1)"], errors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Validate_BadMaxAttempts_ReportsMaxAttempts(int maxAttempts)
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { MaxAttempts = maxAttempts }).Build());

        Assert.Equal([$"task 'a': max attempts must be 1 to 100 (got {maxAttempts})"], errors);
    }

    [Fact]
    public void Validate_NegativeTimeout_ReportsTimeout()
    {
        var errors = Validate(new WorkflowSpecBuilder().WithTask("a", t => t with { TimeoutSeconds = -1 }).Build());

        Assert.Equal(["task 'a': timeout must be a finite number of seconds >= 0"], errors);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        var spec = new WorkflowSpecBuilder("")
            .WithTask("a", t => t with { MaxAttempts = 0 })
            .WithTask("b", "ghost")
            .WithBudget(double.NaN)
            .Build();

        Assert.Equal(4, Validate(spec).Count);
    }
}
