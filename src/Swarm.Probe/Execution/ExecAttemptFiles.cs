using System.Globalization;
using System.Text;
using Swarm.Client;
using Swarm.Core.Model;
using Swarm.Probe.Transfer;

namespace Swarm.Probe.Execution;

/// <summary>The files an exec attempt works with: its inputs (the parents' outputs), a fresh checkpoint directory and
/// spawn file, and the tasks it spawned (read back, size-capped and validated, when it succeeds).</summary>
internal static class ExecAttemptFiles
{
    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes the parents' outputs into the attempt's inputs directory (one file per parent, named by its task id),
    /// downloading those kept in the blob store (size-capped, hash-checked); returns the directory.</summary>
    /// <exception cref="InvalidDataException">A parent's id is not a safe file name, or its blob cannot be had.</exception>
    public static async Task<string> WriteInputsAsync(TaskContext ctx, IBlobTransfer? blobs, long maxDownloadBytes, CancellationToken ct)
    {
        var inputs = Path.Combine(ctx.ScratchDirectory, ExecTaskRunner.InputsDirectoryName);
        Directory.CreateDirectory(inputs);
        foreach (var (parentId, bytes) in ctx.ParentOutputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsSafeFileName(parentId))
            {
                throw new InvalidDataException($"parent task id '{parentId}' cannot be used as a file name");
            }

            await File.WriteAllBytesAsync(Path.Combine(inputs, parentId), bytes, ct).ConfigureAwait(false);
        }

        foreach (var (parentId, sha256) in (ctx.ParentOutputBlobs ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!IsSafeFileName(parentId))
            {
                throw new InvalidDataException($"parent task id '{parentId}' cannot be used as a file name");
            }

            if (blobs is null)
            {
                throw new InvalidDataException($"the output of parent '{parentId}' is in the blob store, and this probe has none");
            }

            if (!BlobId.IsValid(sha256))
            {
                throw new InvalidDataException($"the output of parent '{parentId}' names blob '{sha256}', which is not a SHA-256");
            }

            try
            {
                await blobs.DownloadToFileAsync(sha256, Path.Combine(inputs, parentId), maxDownloadBytes, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw new InvalidDataException($"cannot download the output of parent '{parentId}' (blob {sha256}): {ex.Message}", ex);
            }
        }

        return inputs;
    }

    /// <summary>Starts the attempt with an empty checkpoint directory and no spawn file.</summary>
    public static void Prepare(TaskContext ctx)
    {
        if (Directory.Exists(ctx.CheckpointDirectory))
        {
            Directory.Delete(ctx.CheckpointDirectory, recursive: true);
        }

        Directory.CreateDirectory(ctx.CheckpointDirectory);
        if (File.Exists(ctx.SpawnFile))
        {
            File.Delete(ctx.SpawnFile);
        }
    }

    /// <summary>Reads the tasks an attempt spawned: none when the file does not exist, else the file's tasks or a problem.</summary>
    public static async Task<(IReadOnlyList<MicroTaskSpec> Tasks, string Problem)> ReadSpawnFileAsync(string path, CancellationToken ct)
    {
        const string source = "spawn file ($SWARM_SPAWN_FILE)";
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Directory.Exists(path) ? ([], $"{source} is a directory, not a file") : ([], "");
        }

        if (info.LinkTarget is not null)
        {
            return ([], $"{source} is a symbolic link: write a regular file");
        }

        if (info.Length > TaskContext.MaxSpawnFileBytes)
        {
            return ([], string.Create(CultureInfo.InvariantCulture, $"{source} is {info.Length} bytes; the limit is {TaskContext.MaxSpawnFileBytes}"));
        }

        string text;
        try
        {
            // An empty entry is never opened: it may be a fifo, which would block.
            text = info.Length == 0 ? "" : Utf8Strict.GetString(await ReadCappedAsync(path, TaskContext.MaxSpawnFileBytes, ct).ConfigureAwait(false));
        }
        catch (DecoderFallbackException)
        {
            return ([], $"{source} is not valid UTF-8");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return ([], $"{source} cannot be read: {ex.Message}");
        }

        IReadOnlyList<MicroTaskSpec> tasks;
        try
        {
            tasks = SpecLoader.LoadTasks(text, source);
        }
        catch (SpecException ex)
        {
            return ([], ex.Message);
        }

        return tasks.Count > TaskContext.MaxSpawnedTasks
            ? ([], string.Create(CultureInfo.InvariantCulture, $"{source} lists {tasks.Count} tasks; the limit is {TaskContext.MaxSpawnedTasks}"))
            : (tasks, "");
    }

    private static async Task<byte[]> ReadCappedAsync(string path, int cap, CancellationToken ct)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[cap + 1];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = await file.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0)
            {
                total += n;
            }

            return total > cap
                ? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"it grew past the limit of {cap} bytes"))
                : buffer[..total];
        }
    }

    private static bool IsSafeFileName(string name) =>
        name.Length is > 0 and <= 255
        && name is not "." and not ".."
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
