using System.Diagnostics;
using Swarm.Probe.Execution;
using Xunit;

namespace Swarm.Probe.Tests.Execution;

public sealed class OrphanReaperTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Reap_RecordedProcessStillRunning_KillsItAndDeletesTheRecord()
    {
        using var orphan = Sleep();
        var record = OrphanReaper.Record(_dir.Path, orphan);

        var killed = OrphanReaper.Reap(_dir.Path);

        Assert.Equal([orphan.Id], killed);
        Assert.True(orphan.WaitForExit(10_000), "the orphan should have been killed");
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void Reap_RecordWhoseStartTimeDiffers_LeavesTheProcessAlone()
    {
        using var other = Sleep();
        var record = OrphanReaper.Record(_dir.Path, other);
        File.WriteAllText(record, "1"); // the pid was recycled by a process started at another time.

        var killed = OrphanReaper.Reap(_dir.Path);

        Assert.Empty(killed);
        Assert.False(other.HasExited);
        Assert.False(File.Exists(record));
        other.Kill();
    }

    [Fact]
    public void Reap_ProcessAlreadyGone_DeletesTheRecord()
    {
        using var gone = Sleep();
        var record = OrphanReaper.Record(_dir.Path, gone);
        gone.Kill();
        gone.WaitForExit();

        var killed = OrphanReaper.Reap(_dir.Path);

        Assert.Empty(killed);
        Assert.False(File.Exists(record));
    }

    [Fact]
    public void Forget_AfterTheProcessExited_RemovesTheRecord()
    {
        using var p = Sleep();
        var record = OrphanReaper.Record(_dir.Path, p);

        OrphanReaper.Forget(record);

        Assert.False(File.Exists(record));
        p.Kill();
    }

    [Fact]
    public void StartTime_OfThisProcess_IsStable()
    {
        var first = OrphanReaper.StartTime(Environment.ProcessId);

        Assert.NotNull(first);
        Assert.Equal(first, OrphanReaper.StartTime(Environment.ProcessId));
    }

    public void Dispose() => _dir.Dispose();

    private static Process Sleep() => Process.Start(new ProcessStartInfo("/bin/sleep", ["60"]) { UseShellExecute = false })!;
}
