using Swarm.Core.Bidding;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

public sealed class FunctionRegistryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static FunctionRegistry CreateSut() => new();

    [Fact]
    public void Register_NewName_CanBeFound()
    {
        var sut = CreateSut();
        var echo = new EchoFunction();

        sut.Register(echo);

        Assert.True(sut.TryGet("echo", out var found));
        Assert.Same(echo, found);
        Assert.False(sut.TryGet("ECHO", out _));
    }

    [Fact]
    public void Register_DuplicateName_ThrowsNamingBothTypes()
    {
        var sut = CreateSut();
        sut.Register(new EchoFunction());

        var ex = Assert.Throws<InvalidOperationException>(() => sut.Register(new EchoFunction()));

        Assert.Contains("'echo'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(ex.Message, typeof(EchoFunction).FullName!));
    }

    [Fact]
    public void Names_SeveralRegistered_SortedOrdinally()
    {
        var sut = CreateSut();
        sut.Register(new SumFunction());
        sut.Register(new EchoFunction());
        sut.Register(new FailFunction());

        Assert.Equal(["echo", "fail", "sum"], sut.Names);
    }

    [Fact]
    public void LoadAssembly_MissingFile_ThrowsNamingPath()
    {
        var path = Path.Combine(_dir.Path, "absent.dll");

        var ex = Assert.Throws<FileNotFoundException>(() => CreateSut().LoadAssembly(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAssembly_NotAnAssembly_ThrowsNamingPath()
    {
        var path = _dir.File("notes.dll", "just some text, not a PE file");

        var ex = Assert.Throws<BadImageFormatException>(() => CreateSut().LoadAssembly(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a .NET assembly", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAssembly_NoHandlers_ThrowsNamingPath()
    {
        var path = typeof(OwnerPolicy).Assembly.Location;

        var ex = Assert.Throws<InvalidOperationException>(() => CreateSut().LoadAssembly(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("no public non-abstract ITaskFunction", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAssembly_AssemblyWithHandler_RegistersWorkingHandler()
    {
        var sut = CreateSut();

        var names = sut.LoadAssembly(typeof(ReverseTestFunction).Assembly.Location);

        Assert.Equal(["test-reverse"], names);
        Assert.True(sut.TryGet("test-reverse", out var function));
        var output = await function.InvokeAsync(FunctionCalls.Context([1, 2, 3]), TestContext.Current.CancellationToken);
        Assert.Equal([3, 2, 1], output);
    }

    [Fact]
    public void LoadAssembly_NameAlreadyTaken_ThrowsNamingBothTypesAndRegistersNothing()
    {
        var sut = CreateSut();
        var path = typeof(ReverseTestFunction).Assembly.Location;
        sut.LoadAssembly(path);

        var ex = Assert.Throws<InvalidOperationException>(() => sut.LoadAssembly(path));

        Assert.Contains("'test-reverse'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, CountOf(ex.Message, typeof(ReverseTestFunction).FullName!));
        Assert.Equal(["test-reverse"], sut.Names);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
