using System.Text;
using Swarm.Core.Model;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;
using Swarm.Probe.Tests.Transfer;

namespace Swarm.Probe.Tests.Execution;

public sealed class AttemptRunnerTests : IDisposable
{
    private readonly TempDirectory _scratch = new();
    private readonly FakeBlobTransfer _blobs = new();

    public void Dispose() => _scratch.Dispose();

    private AttemptRunner CreateSut(long inlineOutputBytes = 1000, bool withBlobs = true)
    {
        var registry = new FunctionRegistry();
        BuiltinFunctions.Register(registry, TimeProvider.System);
        var blobs = withBlobs ? _blobs : null;
        return new AttemptRunner(
            new ExecTaskRunner(TimeProvider.System, null, blobs),
            new FunctionTaskRunner(registry, TimeProvider.System, null, blobs, null),
            blobs,
            inlineOutputBytes);
    }

    private TaskContext Context(MicroTaskSpec spec) =>
        new("wf", spec.Id, 1, spec, new Dictionary<string, byte[]>(), _scratch.Path, null);

    private static MicroTaskSpec Shell(string script) =>
        new() { Id = "t1", Kind = TaskKind.Exec, Command = "/bin/sh", Args = ["-c", script] };

    [Fact]
    public async Task RunAsync_LargeExecOutput_GoesToTheBlobStore()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("head -c 3000 /dev/zero | tr '\\0' 'x'")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Empty(outcome.Output);
        Assert.Equal(3000, outcome.OutputBytes);
        Assert.Equal(new string('x', 3000), Encoding.UTF8.GetString(_blobs.Get(outcome.OutputBlob)));
        var result = outcome.ToProto(new AttemptRef("wf", "t1", 1));
        Assert.True(result.Output.IsEmpty);
        Assert.Equal(outcome.OutputBlob, result.OutputBlob);
        Assert.Equal(3000, result.OutputBytes);
    }

    [Fact]
    public async Task RunAsync_LargeFunctionOutput_GoesToTheBlobStore()
    {
        var spec = new MicroTaskSpec { Id = "f1", Kind = TaskKind.Function, Function = "echo", Input = new byte[5000] };

        var outcome = await CreateSut().RunAsync(Context(spec), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(new byte[5000], _blobs.Get(outcome.OutputBlob));
    }

    [Fact]
    public async Task RunAsync_OutputAtTheLimit_StaysInline()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("head -c 1000 /dev/zero")), TestContext.Current.CancellationToken);

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(1000, outcome.Output.Length);
        Assert.Equal("", outcome.OutputBlob);
        Assert.Equal(1000, outcome.ToProto(new AttemptRef("wf", "t1", 1)).OutputBytes);
        Assert.Empty(_blobs.Uploads);
    }

    [Fact]
    public async Task RunAsync_FailedAttemptWithLargeOutput_NotUploaded()
    {
        var outcome = await CreateSut().RunAsync(Context(Shell("head -c 3000 /dev/zero; exit 2")), TestContext.Current.CancellationToken);

        Assert.Equal("exited with code 2", outcome.Error);
        Assert.Empty(_blobs.Uploads);
    }

    [Fact]
    public async Task RunAsync_UploadFails_AttemptFailsSayingWhy()
    {
        _blobs.UploadFailure = new IOException("director unreachable");

        var outcome = await CreateSut().RunAsync(Context(Shell("head -c 3000 /dev/zero")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Empty(outcome.Output);
        Assert.Equal("cannot upload the output (3000 bytes) to the director's blob store: director unreachable", outcome.Error);
    }

    [Fact]
    public async Task RunAsync_LargeOutputWithoutBlobStore_FailsSayingWhy()
    {
        var outcome = await CreateSut(withBlobs: false).RunAsync(Context(Shell("head -c 3000 /dev/zero")), TestContext.Current.CancellationToken);

        Assert.False(outcome.Success);
        Assert.Equal("output of 3000 bytes is over the inline limit of 1000 bytes, and this probe has no blob store", outcome.Error);
    }
}
