using System.Formats.Tar;
using System.Text;
using Swarm.Probe.Checkpoints;
using Swarm.Probe.Tests.Transfer;

namespace Swarm.Probe.Tests.Checkpoints;

public sealed class CheckpointUploaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeBlobTransfer _blobs = new();
    private readonly List<CheckpointSaved> _saved = [];

    public void Dispose() => _temp.Dispose();

    private string CheckpointDir => Path.Combine(_temp.Path, "checkpoint");

    private CheckpointUploader CreateSut(long maxBytes = 1 << 20, CancellationToken ct = default)
    {
        Directory.CreateDirectory(CheckpointDir);
        return new CheckpointUploader(_blobs, CheckpointDir, Path.Combine(_temp.Path, ".swarm"), maxBytes, Record, null, "wf/t/1", ct);
    }

    private void Record(CheckpointSaved saved)
    {
        lock (_saved)
        {
            _saved.Add(saved);
        }
    }

    private void Write(string content) => File.WriteAllText(Path.Combine(CheckpointDir, "state.txt"), content);

    internal static string ReadState(byte[] archive, string name = "state.txt")
    {
        using var reader = new TarReader(new MemoryStream(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name == name && entry.DataStream is { } data)
            {
                using var text = new StreamReader(data, Encoding.UTF8);
                return text.ReadToEnd();
            }
        }

        throw new InvalidOperationException($"no entry '{name}'");
    }

    [Fact]
    public async Task SaveAsync_Directory_UploadsItsArchiveAndReportsTheBlob()
    {
        using var sut = CreateSut();
        Write("epoch 3");

        await sut.SaveAsync(0.3, "third", TestContext.Current.CancellationToken);
        await sut.CompleteAsync(uploadWaiting: true);

        var upload = Assert.Single(_blobs.Uploads);
        Assert.Equal("epoch 3", ReadState(upload));
        var saved = Assert.Single(_saved);
        Assert.Equal(new CheckpointSaved(Core.Model.BlobId.Of(upload), upload.Length, 0.3, "third"), saved);
    }

    [Fact]
    public async Task SaveAsync_WhileUploading_SerialisedAndNewestReplacesWaiting()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _blobs.BeforeUpload = n =>
        {
            if (n == 0)
            {
                firstStarted.TrySetResult();
                return release.Task;
            }

            return Task.CompletedTask;
        };
        using var sut = CreateSut();

        Write("one");
        await sut.SaveAsync(null, "1", TestContext.Current.CancellationToken);
        await firstStarted.Task;
        Write("two");
        await sut.SaveAsync(null, "2", TestContext.Current.CancellationToken);
        Write("three");
        await sut.SaveAsync(null, "3", TestContext.Current.CancellationToken);
        release.SetResult();
        await sut.CompleteAsync(uploadWaiting: true);

        Assert.Equal(["one", "three"], _blobs.Uploads.Select(u => ReadState(u)));
        Assert.Equal(["1", "3"], _saved.Select(s => s.Message));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_temp.Path, ".swarm")));
    }

    [Fact]
    public async Task SaveAsync_OverTheCap_SkippedWithoutUpload()
    {
        using var sut = CreateSut(maxBytes: 2048);
        Write(new string('x', 8192));

        await sut.SaveAsync(null, "", TestContext.Current.CancellationToken);
        await sut.CompleteAsync(uploadWaiting: true);

        Assert.Empty(_blobs.Uploads);
        Assert.Empty(_saved);
    }

    [Fact]
    public async Task SaveAsync_UploadFails_NotReportedAndNextSaveStillWorks()
    {
        _blobs.UploadFailure = new IOException("director unreachable");
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _blobs.BeforeUpload = _ =>
        {
            failed.TrySetResult();
            return Task.CompletedTask;
        };
        using var sut = CreateSut();
        Write("one");
        await sut.SaveAsync(null, "1", TestContext.Current.CancellationToken);
        await failed.Task;
        await sut.CompleteAsync(uploadWaiting: true);
        Assert.Empty(_saved);

        _blobs.UploadFailure = null;
        using var next = CreateSut();
        Write("two");
        await next.SaveAsync(null, "2", TestContext.Current.CancellationToken);
        await next.CompleteAsync(uploadWaiting: true);

        Assert.Equal(["2"], _saved.Select(s => s.Message));
    }

    [Fact]
    public async Task CompleteAsync_WithoutUploadingWaiting_DropsTheWaitingOne()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _blobs.BeforeUpload = n =>
        {
            firstStarted.TrySetResult();
            return n == 0 ? release.Task : Task.CompletedTask;
        };
        using var sut = CreateSut();
        Write("one");
        await sut.SaveAsync(null, "1", TestContext.Current.CancellationToken);
        await firstStarted.Task;
        Write("two");
        await sut.SaveAsync(null, "2", TestContext.Current.CancellationToken);

        await sut.CompleteAsync(uploadWaiting: false);

        Assert.Single(_blobs.Uploads);
        Assert.Empty(_saved);
    }

    [Fact]
    public async Task SaveAsync_NoBlobStore_SkippedQuietly()
    {
        Directory.CreateDirectory(CheckpointDir);
        using var sut = new CheckpointUploader(null, CheckpointDir, Path.Combine(_temp.Path, ".swarm"), 1 << 20, Record, null, "a", default);
        Write("x");

        await sut.SaveAsync(null, "", TestContext.Current.CancellationToken);
        await sut.CompleteAsync(uploadWaiting: true);

        Assert.Empty(_saved);
    }
}
