using System.Formats.Tar;

namespace Swarm.Probe.Checkpoints;

/// <summary>
/// Packs a checkpoint directory into a tar archive and unpacks one, safely.
/// </summary>
/// <remarks>
/// <para>
/// Packing walks the directory without following symbolic links (links are left out), writes entries in
/// ordinal order of their relative paths ('/'-separated, directories with a trailing '/'), and keeps each
/// file's Unix permission bits. Only regular files and directories are stored. .NET cannot tell an empty
/// regular file from a fifo, socket or device without opening it (which may block), so an empty entry is
/// stored as an empty regular file and never opened.
/// </para>
/// <para>
/// Unpacking accepts only regular-file and directory entries whose path stays inside the target directory:
/// absolute paths, '..' segments, links and device entries are refused with an <see cref="InvalidDataException"/>.
/// </para>
/// </remarks>
public static class CheckpointArchive
{
    private const long TarBlock = 512;

    /// <summary>
    /// Writes <paramref name="directory"/> as a tar archive to <paramref name="archivePath"/>. Throws
    /// <see cref="InvalidDataException"/> (and leaves no archive) when the archive would be larger than
    /// <paramref name="maxBytes"/>; I/O problems throw <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.
    /// </summary>
    /// <returns>The archive's size in bytes.</returns>
    public static async Task<long> PackAsync(string directory, string archivePath, long maxBytes, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var root = new DirectoryInfo(directory);
        var entries = new List<(string Name, FileSystemInfo Info)>();
        Collect(root, "", entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        // Headers, content rounded up to whole blocks, and the two end blocks: a lower bound that spares the
        // copying of an archive that cannot fit anyway.
        var estimate = (2 * TarBlock) + entries.Sum(e => TarBlock + (e.Info is FileInfo f ? RoundUp(f.Length) : 0));
        if (estimate > maxBytes)
        {
            throw TooLarge(estimate, maxBytes);
        }

        try
        {
            var stream = new FileStream(archivePath, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
                await using (writer.ConfigureAwait(false))
                {
                    foreach (var (name, info) in entries)
                    {
                        await WriteEntryAsync(writer, name, info, ct).ConfigureAwait(false);
                        if (stream.Length > maxBytes)
                        {
                            throw TooLarge(stream.Length, maxBytes);
                        }
                    }
                }

                return stream.Length <= maxBytes ? stream.Length : throw TooLarge(stream.Length, maxBytes);
            }
        }
        catch
        {
            TryDelete(archivePath);
            throw;
        }
    }

    /// <summary>
    /// Unpacks the tar archive at <paramref name="archivePath"/> into <paramref name="directory"/> (created when
    /// missing). Throws <see cref="InvalidDataException"/> for an entry that is not a regular file or directory,
    /// or whose path would leave the directory, and for a malformed archive.
    /// </summary>
    public static async Task ExtractAsync(string archivePath, string directory, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        Directory.CreateDirectory(root);
        var stream = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var reader = new TarReader(stream, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (true)
                {
                    TarEntry? entry;
                    try
                    {
                        entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
                    }
                    catch (FormatException ex)
                    {
                        throw new InvalidDataException($"the checkpoint archive is malformed: {ex.Message}", ex);
                    }

                    if (entry is null)
                    {
                        break;
                    }

                    await ExtractEntryAsync(entry, root, ct).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// The full path an entry named <paramref name="entryName"/> unpacks to under <paramref name="root"/> (a full
    /// path without a trailing separator; <paramref name="root"/> itself for "./"), or null when the name is empty,
    /// absolute, has a '..' segment or otherwise leaves the directory.
    /// </summary>
    public static string? ResolveInside(string root, string entryName)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(entryName);
        if (entryName.Length == 0 || entryName.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(entryName)
            || entryName.StartsWith('/'))
        {
            return null;
        }

        var segments = entryName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s == ".."))
        {
            return null;
        }

        var kept = segments.Where(s => s != ".").ToArray();
        if (kept.Length == 0)
        {
            return root; // "./": the directory itself.
        }

        var full = Path.GetFullPath(Path.Join(root, string.Join('/', kept)));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }

    private static void Collect(DirectoryInfo dir, string prefix, List<(string Name, FileSystemInfo Info)> entries)
    {
        foreach (var info in dir.EnumerateFileSystemInfos())
        {
            if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                continue; // symbolic links are never followed or stored.
            }

            var name = prefix + info.Name;
            if (info is DirectoryInfo sub)
            {
                entries.Add((name + "/", sub));
                Collect(sub, name + "/", entries);
            }
            else
            {
                entries.Add((name, info));
            }
        }
    }

    private static async Task WriteEntryAsync(TarWriter writer, string name, FileSystemInfo info, CancellationToken ct)
    {
        var isDirectory = info is DirectoryInfo;
        var entry = new PaxTarEntry(isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
        {
            ModificationTime = info.LastWriteTimeUtc,
        };
        if (!OperatingSystem.IsWindows())
        {
            entry.Mode = info.UnixFileMode & (UnixFileMode)0x1FF; // rwxrwxrwx: no setuid, setgid or sticky bits.
        }

        if (isDirectory || ((FileInfo)info).Length == 0)
        {
            await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
            return;
        }

        // Non-empty, so a regular file: special files report a length of 0.
        var data = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (data.ConfigureAwait(false))
        {
            entry.DataStream = data;
            await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
        }
    }

    private static async Task ExtractEntryAsync(TarEntry entry, string root, CancellationToken ct)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.GlobalExtendedAttributes:
                return; // metadata for the entries that follow; nothing to unpack.
            case TarEntryType.Directory:
            case TarEntryType.RegularFile:
            case TarEntryType.V7RegularFile:
                break;
            default:
                throw new InvalidDataException(
                    $"checkpoint entry '{entry.Name}' is a {entry.EntryType}: only regular files and directories are allowed");
        }

        var path = ResolveInside(root, entry.Name);
        if (path is null || (path == root && entry.EntryType != TarEntryType.Directory))
        {
            throw new InvalidDataException($"checkpoint entry '{entry.Name}' would be written outside the checkpoint directory");
        }
        var mode = entry.Mode & (UnixFileMode)0x1FF;
        if (entry.EntryType == TarEntryType.Directory)
        {
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                await data.CopyToAsync(file, ct).ConfigureAwait(false);
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static long RoundUp(long bytes) => (bytes + TarBlock - 1) / TarBlock * TarBlock;

    private static InvalidDataException TooLarge(long size, long maxBytes) =>
        new($"the checkpoint is at least {size} bytes as an archive, over the limit of {maxBytes} bytes");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
