using Swarm.Client;
using Swarm.IntegrationTests.Infrastructure;
using Xunit;

namespace Swarm.IntegrationTests.Security;

/// <summary>
/// A probe started with --sandbox bwrap, as a real process behind a real director: what its exec tasks can reach,
/// against a probe started without it on the same swarm (each pinned by region).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SandboxedProbeTests : IAsyncLifetime
{
    private readonly SwarmCluster _cluster = new();
    private readonly string _secret = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".swarm-owner-secret-" + Guid.NewGuid().ToString("N"));

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(_secret, "owner's secret");
        await _cluster.StartDirectorAsync();
        _cluster.StartProbe("boxed", "--sandbox", "bwrap", "--region", "boxed", "--max-cores", "1");
        _cluster.StartProbe("open", "--region", "open", "--max-cores", "1");
        await _cluster.WaitForProbesAsync("boxed", "open");
    }

    public async ValueTask DisposeAsync()
    {
        File.Delete(_secret);
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task ExecTaskOnASandboxedProbe_CannotReadTheOwnersFiles_OnAPlainProbeItCan()
    {
        using var client = _cluster.Client();
        Core.Model.WorkflowSpec Spec(string region) => new()
        {
            Name = "peek-" + region,
            Constraints = new Core.Model.PlacementConstraints { Regions = [region] },
            Tasks = [new Core.Model.MicroTaskSpec { Id = "peek", Kind = Core.Model.TaskKind.Exec, Command = "/bin/sh", Args = ["-c", $"cat {_secret} || echo hidden"], Resources = new Core.Model.ResourceVector(100, 64) }],
        };

        var boxed = await client.RunAsync(Spec("boxed")).WaitAsync(TimeSpan.FromMinutes(2));
        var open = await client.RunAsync(Spec("open")).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("boxed", Assert.Single(boxed.Tasks).ProbeId);
        Assert.Equal("hidden", boxed.Tasks[0].Output.ToStringUtf8().Trim());
        Assert.Equal("open", Assert.Single(open.Tasks).ProbeId);
        Assert.Equal("owner's secret", open.Tasks[0].Output.ToStringUtf8().Trim());

        // The owner of the sandboxed machine sees what ran there.
        var (code, stdout, stderr) = await SwarmBinary.RunAsync(
            ["probe", "ledger", "--json", "--file", Path.Combine(_cluster.DataDirectory, "identity-boxed", "ledger.jsonl")], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"\"workflow\":\"{boxed.WorkflowId}\"", line, StringComparison.Ordinal);
        Assert.Contains("\"what\":\"/bin/sh\"", line, StringComparison.Ordinal);
        Assert.Contains("\"sandboxed\":true", line, StringComparison.Ordinal);
    }
}
