namespace Swarm.Testing;

/// <summary>Fixed instants for deterministic tests: never read the wall clock in a test.</summary>
public static class TestTime
{
    /// <summary>The instant every test clock starts at: 2030-01-01 12:00:00 UTC.</summary>
    public static DateTimeOffset Start { get; } = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
}
