using System.Net;
using System.Net.Sockets;
using System.Text;
using Swarm.Core.Model;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Tests.Execution;

/// <summary>
/// Exec tasks under bubblewrap, as real processes: each confinement is shown against the same task run unconfined,
/// so a test fails if the sandbox stops confining or the control stops being able to do the thing.
/// (scripts/test.sh installs Debian's bubblewrap when it is missing.)
/// </summary>
public sealed class ExecSandboxTests : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly string _secret = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".swarm-sandbox-test-" + Guid.NewGuid().ToString("N"));
    private readonly string _tmpSecret = Path.Combine("/tmp", "swarm-sandbox-test-" + Guid.NewGuid().ToString("N"));
    private readonly string _outside = Path.Combine("/tmp", "swarm-sandbox-out-" + Guid.NewGuid().ToString("N"));

    public ExecSandboxTests()
    {
        File.WriteAllText(_secret, "owner's secret");
        File.WriteAllText(_tmpSecret, "someone's temp file");
    }

    public void Dispose()
    {
        _scratch.Dispose();
        File.Delete(_secret);
        File.Delete(_tmpSecret);
        File.Delete(_outside);
    }

    private static ExecTaskRunner Runner(string sandbox, bool network = false) =>
        new(TimeProvider.System, new ExecTaskRunnerOptions { Sandbox = sandbox, SandboxNetwork = network });

    private TaskContext Context(string script, string shell = "/bin/bash", long memoryMb = 64) =>
        new("wf-1", "t1", 1, new MicroTaskSpec { Id = "t1", Kind = TaskKind.Exec, Command = shell, Args = ["-c", script], Resources = new ResourceVector(500, memoryMb) },
            new Dictionary<string, byte[]>(), _scratch.Path, null);

    [Fact]
    public void Bwrap_IsAvailableHere_AndDescribesItself()
    {
        var sandbox = ExecSandbox.Create("bwrap", allowNetwork: false, out var problem);

        Assert.True(sandbox is not null, problem);
        Assert.Contains("no network", sandbox.Description, StringComparison.Ordinal);
        Assert.Null(ExecSandbox.Create("none", false, out _));
        Assert.Null(ExecSandbox.Create("chroot", false, out var bad));
        Assert.Contains("none, auto, bwrap", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandboxed_TaskCannotReadTheOwnersHomeOrTmp_NorWriteOutsideItsFolder_ButWritesItsOwn()
    {
        var script = $"cat {_secret}; cat {_tmpSecret}; echo x > {_outside}; echo done > result.txt; cat result.txt";
        var ct = TestContext.Current.CancellationToken;

        var open = await Runner("none").RunAsync(Context(script), ct);
        File.Delete(_outside);
        File.Delete(Path.Combine(_scratch.Path, "result.txt"));
        var boxed = await Runner("bwrap").RunAsync(Context(script), ct);

        var openOut = Encoding.UTF8.GetString(open.Output);
        var boxedOut = Encoding.UTF8.GetString(boxed.Output);
        Assert.Contains("owner's secret", openOut, StringComparison.Ordinal);
        Assert.Contains("someone's temp file", openOut, StringComparison.Ordinal);
        Assert.DoesNotContain("owner's secret", boxedOut, StringComparison.Ordinal);
        Assert.DoesNotContain("someone's temp file", boxedOut, StringComparison.Ordinal);
        Assert.Contains("done", boxedOut, StringComparison.Ordinal);
        Assert.False(File.Exists(_outside), "the sandboxed task wrote outside its folder");
        Assert.Equal("done\n", File.ReadAllText(Path.Combine(_scratch.Path, "result.txt")));
    }

    [Fact]
    public async Task Sandboxed_TaskHasNoNetwork_UnlessTheOwnerAllowsIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var script = $"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected";
        var ct = TestContext.Current.CancellationToken;

        var open = await Runner("none").RunAsync(Context(script), ct);
        var boxed = await Runner("bwrap").RunAsync(Context(script), ct);
        var allowed = await Runner("bwrap", network: true).RunAsync(Context(script), ct);

        Assert.True(open.Success, open.Error);
        Assert.False(boxed.Success);
        Assert.DoesNotContain("connected", Encoding.UTF8.GetString(boxed.Output), StringComparison.Ordinal);
        Assert.True(allowed.Success, allowed.Error + allowed.Stderr);
    }

    [Fact]
    public async Task Sandboxed_TaskOverItsDeclaredMemory_IsKilled_WithinItRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        var runner = Runner("bwrap");
        Assert.True(runner.Cgroups is not null, runner.CgroupProblem);
        // tail -n 1 keeps a line without a newline whole: 300 MB of zeros is 300 MB held.
        const string hog = "set -o pipefail; head -c 300000000 /dev/zero | tail -n 1 | wc -c";

        var over = await runner.RunAsync(Context(hog, memoryMb: 64), ct);
        var within = await runner.RunAsync(Context(hog, memoryMb: 1024), ct);

        Assert.False(over.Success, "300 MB in a 64 MiB cgroup");
        Assert.Contains("killed for going over its memory limit of 64 MiB", over.Error, StringComparison.Ordinal);
        Assert.True(within.Success, within.Error + within.Stderr);
        Assert.Equal("300000000", Encoding.UTF8.GetString(within.Output).Trim());
    }

    [Fact]
    public async Task Sandboxed_ForkFlood_StopsAtTheProcessLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        var limited = new ExecTaskRunner(TimeProvider.System, new ExecTaskRunnerOptions { Sandbox = "bwrap", MaxProcesses = 16 });
        const string flood = "n=0; for i in $(seq 40); do sleep 3 & n=$((n+1)); done 2>/dev/null; echo started $n; kill $(jobs -p) 2>/dev/null; [ $n -eq 40 ]";

        var boxed = await limited.RunAsync(Context(flood, "/bin/sh"), ct);
        var open = await Runner("none").RunAsync(Context(flood, "/bin/sh"), ct);

        Assert.True(limited.Cgroups is not null, limited.CgroupProblem);
        Assert.Contains("started 40", Encoding.UTF8.GetString(open.Output), StringComparison.Ordinal);
        Assert.True(open.Success, open.Error);
        Assert.False(boxed.Success);
        Assert.DoesNotContain("started 40", Encoding.UTF8.GetString(boxed.Output), StringComparison.Ordinal);
        Assert.Contains("reached its limit of 16 processes", boxed.Error, StringComparison.Ordinal);
    }
}

