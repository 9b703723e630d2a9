using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Probe.Policy;

namespace Swarm.Probe.Tests.Policy;

public sealed class OwnerPolicyLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static InvalidDataException LoadFails(string path) => Assert.Throws<InvalidDataException>(() => OwnerPolicyLoader.Load(path));

    [Fact]
    public void Load_Example_ReadsEveryKey()
    {
        var path = _dir.File("policy.json", OwnerPolicyLoader.Example());

        var policy = OwnerPolicyLoader.Load(path);

        Assert.True(policy.OptIn);
        Assert.Equal(4000, policy.MaxCpuMillis);
        Assert.Equal(8192, policy.MaxMemoryMb);
        Assert.True(policy.OnlyWhenIdle);
        Assert.Equal(0.3, policy.IdleLoadThreshold);
        Assert.Equal(["22:00-07:00"], policy.AllowedHours);
        Assert.Equal([TaskKind.Exec, TaskKind.Function], policy.AllowedKinds);
        Assert.Equal(0.0001, policy.FloorPrice);
    }

    [Fact]
    public void Load_EmptyObject_KeepsDefaults()
    {
        var policy = OwnerPolicyLoader.Load(_dir.File("policy.json", "{}"));

        Assert.Equal(new OwnerPolicy().Cap(new ResourceVector(4000, 1000)), policy.Cap(new ResourceVector(4000, 1000)));
        Assert.True(policy.OptIn);
        Assert.Equal([TaskKind.Exec, TaskKind.Function], policy.AllowedKinds);
    }

    [Fact]
    public void Load_CommentsAndTrailingComma_Accepted()
    {
        var policy = OwnerPolicyLoader.Load(_dir.File("policy.json", "{\n  // only functions\n  \"allowed_kinds\": [\"function\"],\n}\n"));

        Assert.Equal([TaskKind.Function], policy.AllowedKinds);
    }

    [Fact]
    public void Load_UnknownKey_ThrowsNamingKeyAndPath()
    {
        var path = _dir.File("policy.json", """{"opt_in": true, "max_cpus": 4}""");

        var ex = LoadFails(path);

        Assert.Contains($"'{path}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'max_cpus'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"opt_in": "yes"}""", "key 'opt_in' must be true or false, not the string \"yes\"")]
    [InlineData("""{"max_cpu_millis": 1.5}""", "key 'max_cpu_millis' must be a whole number, not the number 1.5")]
    [InlineData("""{"max_memory_mb": null}""", "key 'max_memory_mb' must be a whole number, not null")]
    [InlineData("""{"floor_price": "cheap"}""", "key 'floor_price' must be a number")]
    [InlineData("""{"allowed_hours": "22:00-07:00"}""", "key 'allowed_hours' must be an array of strings")]
    [InlineData("""{"allowed_hours": [2200]}""", "key 'allowed_hours' item 0 must be a string")]
    [InlineData("""{"allowed_kinds": ["exec", "gpu"]}""", "key 'allowed_kinds' has 'gpu'")]
    [InlineData("""{"allowed_kinds": ["exec", "exec"]}""", "key 'allowed_kinds' lists 'exec' more than once")]
    [InlineData("""{"opt_in": true, "opt_in": false}""", "key 'opt_in' appears more than once")]
    public void Load_WrongType_ThrowsNamingKey(string json, string expected)
    {
        var ex = LoadFails(_dir.File("policy.json", json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralProblems_ListsEach()
    {
        var ex = LoadFails(_dir.File("policy.json", """{"opt_in": 1, "only_when_idle": "no", "colour": "red"}"""));

        Assert.Contains("'opt_in'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'only_when_idle'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'colour'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValidationFailures_ListsEachValidationError()
    {
        var path = _dir.File(
            "policy.json",
            """{"idle_load_threshold": 2, "max_cpu_millis": -1, "allowed_hours": ["late"], "allowed_kinds": []}""");

        var ex = LoadFails(path);

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("idle_load_threshold must be between 0 and 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_cpu_millis must be >= 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("allowed_hours entry 'late' is not HH:mm-HH:mm", ex.Message, StringComparison.Ordinal);
        Assert.Contains("allowed_kinds is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotJson_ThrowsNamingPath()
    {
        var path = _dir.File("policy.json", "opt_in = true");

        var ex = LoadFails(path);

        Assert.StartsWith($"owner policy '{path}' is not valid JSON: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_YamlFile_SaysYamlIsNotSupported()
    {
        var ex = LoadFails(_dir.File("policy.yaml", "opt_in: true\n"));

        Assert.Contains("YAML is not supported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TopLevelArray_Throws()
    {
        var ex = LoadFails(_dir.File("policy.json", "[]"));

        Assert.Contains("the top level must be a JSON object, not an array", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingPath()
    {
        var path = Path.Combine(_dir.Path, "absent.json");

        var ex = LoadFails(path);

        Assert.Contains($"owner policy '{path}' cannot be read", ex.Message, StringComparison.Ordinal);
    }
}
