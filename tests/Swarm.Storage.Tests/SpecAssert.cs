using Swarm.Core.Model;
using Xunit;

namespace Swarm.Storage.Tests;

/// <summary>Field-by-field spec comparison (so a field lost on both sides of a JSON comparison still fails).</summary>
internal static class SpecAssert
{
    public static void Equal(WorkflowSpec expected, WorkflowSpec actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Tenant, actual.Tenant);
        Assert.Equal(expected.Objective, actual.Objective);
        Assert.Equal(expected.Budget, actual.Budget);
        Assert.Equal(expected.DeadlineSeconds, actual.DeadlineSeconds);
        Assert.Equal(expected.Tasks.Count, actual.Tasks.Count);
        for (var i = 0; i < expected.Tasks.Count; i++)
        {
            Equal(expected.Tasks[i], actual.Tasks[i]);
        }
    }

    private static void Equal(MicroTaskSpec expected, MicroTaskSpec actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Command, actual.Command);
        Assert.Equal(expected.Args, actual.Args);
        Assert.Equal(
            expected.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            actual.Env.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(expected.WorkingDirectory, actual.WorkingDirectory);
        Assert.Equal(expected.Stdin, actual.Stdin);
        Assert.Equal(expected.Function, actual.Function);
        Assert.Equal(expected.Input, actual.Input);
        Assert.Equal(expected.Resources, actual.Resources);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.MaxAttempts, actual.MaxAttempts);
        Assert.Equal(expected.TimeoutSeconds, actual.TimeoutSeconds);
        Assert.Equal(expected.EstimatedSeconds, actual.EstimatedSeconds);
        Assert.Equal(expected.DependsOn, actual.DependsOn);
    }
}
