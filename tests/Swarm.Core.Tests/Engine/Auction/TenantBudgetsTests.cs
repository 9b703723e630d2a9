using Swarm.Core.Engine;
using Swarm.Core.Engine.Auction;
using Swarm.Core.Engine.Tasks;
using Swarm.Testing;

namespace Swarm.Core.Tests.Engine.Auction;

public sealed class TenantBudgetsTests
{
    private static (TaskBoard Tasks, TenantBudgets Budgets) CreateSut(double budget)
    {
        var options = new EngineOptions { Tenants = new Dictionary<string, TenantPolicy> { ["acme"] = new TenantPolicy { Budget = budget, Weight = 2 } } };
        var tasks = new TaskBoard(new RoundTrigger());
        return (tasks, new TenantBudgets(options, tasks));
    }

    [Fact]
    public void Left_TenantWithoutBudget_Unlimited()
    {
        var (_, budgets) = CreateSut(10);

        Assert.Equal(double.PositiveInfinity, budgets.Left("other"));
        Assert.Equal(TenantPolicy.Default, budgets.Of("other"));
    }

    [Fact]
    public void Left_SpentAndReservedOfItsWorkflowsOnly_Subtracted()
    {
        var (tasks, budgets) = CreateSut(10);
        var a = tasks.Add("a", new WorkflowSpecBuilder().WithTenant("acme").WithTask("t").Build(), TestTime.Start);
        var b = tasks.Add("b", new WorkflowSpecBuilder().WithTenant("acme").WithTask("t").Build(), TestTime.Start);
        var other = tasks.Add("c", new WorkflowSpecBuilder().WithTenant("other").WithTask("t").Build(), TestTime.Start);
        a.Spent = 3;
        b.Reserved = 2.5;
        other.Spent = 100;

        Assert.Equal(5.5, budgets.Used("acme"));
        Assert.Equal(4.5, budgets.Left("acme"));
        Assert.Equal(2, budgets.Of("acme").Weight);
    }

    [Fact]
    public void Left_OverspentTenant_ZeroNotNegative()
    {
        var (tasks, budgets) = CreateSut(1);
        tasks.Add("a", new WorkflowSpecBuilder().WithTenant("acme").WithTask("t").Build(), TestTime.Start).Spent = 3;

        Assert.Equal(0, budgets.Left("acme"));
    }
}
