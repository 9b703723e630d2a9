using System.Formats.Tar;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Swarm.Probe.Checkpoints;

namespace Swarm.Probe.Tests.Checkpoints;

public sealed class CheckpointArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private int _case;

    public void Dispose() => _temp.Dispose();

    private string Dir(string name)
    {
        var path = Path.Combine(_temp.Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Relative path ('/'-separated; directories end in '/') to content (null for directories).</summary>
    private static SortedDictionary<string, string?> Snapshot(string root)
    {
        var result = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            result[Directory.Exists(path) ? rel + "/" : rel] = Directory.Exists(path) ? null : File.ReadAllText(path);
        }

        return result;
    }

    private static List<(string Name, TarEntryType Type)> Entries(string archive)
    {
        using var reader = new TarReader(File.OpenRead(archive));
        var entries = new List<(string, TarEntryType)>();
        while (reader.GetNextEntry() is { } e)
        {
            entries.Add((e.Name, e.EntryType));
        }

        return entries;
    }

    private string Archive(params (string Name, TarEntryType Type, string? Content, string? LinkName)[] entries)
    {
        var path = Path.Combine(_temp.Path, "crafted.tar");
        using var stream = File.Create(path);
        using var writer = new TarWriter(stream, TarEntryFormat.Pax);
        foreach (var (name, type, content, link) in entries)
        {
            var entry = new PaxTarEntry(type, name);
            if (content is not null)
            {
                entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
            }

            if (link is not null)
            {
                entry.LinkName = link;
            }

            writer.WriteEntry(entry);
        }

        return path;
    }

    [Fact]
    public async Task PackAsync_Tree_EntriesInOrdinalOrderWithDirectoriesFirst()
    {
        var source = Dir("src");
        _temp.File("src/b.txt", "b");
        _temp.File("src/a/z.txt", "z");
        _temp.File("src/a.txt", "a");
        _temp.File("src/B", "B");
        Directory.CreateDirectory(Path.Combine(source, "empty"));
        var archive = Path.Combine(_temp.Path, "out.tar");

        await CheckpointArchive.PackAsync(source, archive, 1 << 20, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                ("B", TarEntryType.RegularFile), ("a.txt", TarEntryType.RegularFile), ("a/", TarEntryType.Directory),
                ("a/z.txt", TarEntryType.RegularFile), ("b.txt", TarEntryType.RegularFile), ("empty/", TarEntryType.Directory),
            ],
            Entries(archive));
    }

    [Fact]
    public async Task PackAsync_SymbolicLinks_NotFollowedNorStored()
    {
        var source = Dir("src");
        var outside = _temp.File("secret/data.txt", "secret");
        _temp.File("src/keep.txt", "keep");
        File.CreateSymbolicLink(Path.Combine(source, "file-link"), outside);
        Directory.CreateSymbolicLink(Path.Combine(source, "dir-link"), Path.GetDirectoryName(outside)!);
        var archive = Path.Combine(_temp.Path, "out.tar");

        await CheckpointArchive.PackAsync(source, archive, 1 << 20, TestContext.Current.CancellationToken);

        Assert.Equal([("keep.txt", TarEntryType.RegularFile)], Entries(archive));
    }

    [Fact]
    public async Task PackAsync_OverTheCap_ThrowsAndLeavesNoArchive()
    {
        var source = Dir("src");
        _temp.File("src/big.bin", new string('x', 10_000));
        var archive = Path.Combine(_temp.Path, "out.tar");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CheckpointArchive.PackAsync(source, archive, 4096, TestContext.Current.CancellationToken));

        Assert.Contains("over the limit of 4096 bytes", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(archive));
    }

    [Fact]
    public async Task PackAsync_ReturnsTheArchiveSize()
    {
        var source = Dir("src");
        _temp.File("src/a.txt", "hello");
        var archive = Path.Combine(_temp.Path, "out.tar");

        var size = await CheckpointArchive.PackAsync(source, archive, 1 << 20, TestContext.Current.CancellationToken);

        Assert.Equal(new FileInfo(archive).Length, size);
    }

    [Property(MaxTest = 40, Replay = PropertySeed.Replay)]
    public Property PackThenExtract_RandomTree_SameFilesDirectoriesAndContent() => Prop.ForAll(
        Arb.From(
            from files in Gen.ListOf(
                from depth in Gen.Choose(1, 3)
                from segments in Gen.ArrayOf(Gen.Elements("a", "b", "c.d", "é", "with space", "..x", ".hidden", new string('n', 120)), depth)
                from content in Gen.Elements("", "0", "hello\n", new string('w', 1500))
                select (Path: string.Join('/', segments), Content: content))
            from dirs in Gen.ListOf(Gen.Elements("e1", "a/e2", "b/c.d/e3"))
            select (Files: files.ToArray(), Dirs: dirs.ToArray())),
        tree =>
        {
            var root = Path.Combine(_temp.Path, $"case-{Interlocked.Increment(ref _case)}");
            var source = Path.Combine(root, "src");
            var target = Path.Combine(root, "dst");
            Directory.CreateDirectory(source);
            foreach (var (rel, content) in tree.Files)
            {
                var path = Path.Combine(source, rel);
                var parent = Path.GetDirectoryName(path)!;
                if (Directory.Exists(path) || Ancestors(source, parent).Any(File.Exists))
                {
                    continue; // the generator named it as both a file and a directory.
                }

                Directory.CreateDirectory(parent);
                File.WriteAllText(path, content);
            }

            foreach (var rel in tree.Dirs)
            {
                var path = Path.Combine(source, rel);
                if (!Ancestors(source, path).Any(File.Exists))
                {
                    Directory.CreateDirectory(path);
                }
            }

            var archive = Path.Combine(root, "c.tar");
            CheckpointArchive.PackAsync(source, archive, long.MaxValue, CancellationToken.None).GetAwaiter().GetResult();
            CheckpointArchive.ExtractAsync(archive, target, CancellationToken.None).GetAwaiter().GetResult();
            return Snapshot(source).SequenceEqual(Snapshot(target));
        });

    private static IEnumerable<string> Ancestors(string root, string path)
    {
        for (var p = path; p.Length > root.Length; p = Path.GetDirectoryName(p)!)
        {
            yield return p;
        }
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("a/../../evil.txt")]
    [InlineData("/tmp/evil.txt")]
    [InlineData("a/./../../evil.txt")]
    [InlineData("..")]
    public async Task ExtractAsync_EntryEscapingTheDirectory_RefusedAndNothingWrittenOutside(string name)
    {
        var archive = Archive(("ok.txt", TarEntryType.RegularFile, "ok", null), (name, TarEntryType.RegularFile, "evil", null));
        var target = Path.Combine(_temp.Path, "inner", "dst");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CheckpointArchive.ExtractAsync(archive, target, TestContext.Current.CancellationToken));

        Assert.Contains("outside the checkpoint directory", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "inner", "evil.txt")));
        Assert.False(File.Exists(Path.Combine(_temp.Path, "evil.txt")));
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink)]
    [InlineData(TarEntryType.HardLink)]
    [InlineData(TarEntryType.Fifo)]
    [InlineData(TarEntryType.CharacterDevice)]
    public async Task ExtractAsync_LinkOrSpecialEntry_Refused(TarEntryType type)
    {
        var archive = Archive(("link", type, null, type is TarEntryType.SymbolicLink or TarEntryType.HardLink ? "/etc/passwd" : null));
        var target = Path.Combine(_temp.Path, "dst");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(
            () => CheckpointArchive.ExtractAsync(archive, target, TestContext.Current.CancellationToken));

        Assert.Contains("only regular files and directories", ex.Message, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(target, "link")));
    }

    [Fact]
    public async Task ExtractAsync_SymlinkThenFileThroughIt_RefusedAtTheLink()
    {
        var outside = Dir("outside");
        var archive = Archive(("d", TarEntryType.SymbolicLink, null, outside), ("d/evil.txt", TarEntryType.RegularFile, "evil", null));

        await Assert.ThrowsAsync<InvalidDataException>(
            () => CheckpointArchive.ExtractAsync(archive, Path.Combine(_temp.Path, "dst"), TestContext.Current.CancellationToken));

        Assert.False(File.Exists(Path.Combine(outside, "evil.txt")));
    }

    [Fact]
    public async Task ExtractAsync_DotDirectoryEntry_Accepted()
    {
        var archive = Archive(("./", TarEntryType.Directory, null, null), ("./a.txt", TarEntryType.RegularFile, "A", null));
        var target = Path.Combine(_temp.Path, "dst");

        await CheckpointArchive.ExtractAsync(archive, target, TestContext.Current.CancellationToken);

        Assert.Equal("A", File.ReadAllText(Path.Combine(target, "a.txt")));
    }

    [Fact]
    public async Task ExtractAsync_NotATar_ThrowsInvalidData()
    {
        var archive = _temp.File("junk.tar", new string('j', 2000));

        await Assert.ThrowsAsync<InvalidDataException>(
            () => CheckpointArchive.ExtractAsync(archive, Path.Combine(_temp.Path, "dst"), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("a/b.txt", "/r/a/b.txt")]
    [InlineData("./a//b.txt", "/r/a/b.txt")]
    [InlineData("a/", "/r/a")]
    [InlineData("./", "/r")]
    [InlineData("", null)]
    [InlineData("..", null)]
    [InlineData("a/../b", null)]
    [InlineData("/etc/passwd", null)]
    [InlineData("a\0b", null)]
    public void ResolveInside_Names_ResolvedOrRefused(string name, string? expected)
    {
        Assert.Equal(expected, CheckpointArchive.ResolveInside("/r", name));
    }
}
