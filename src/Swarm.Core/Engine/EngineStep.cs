namespace Swarm.Core.Engine;

/// <summary>
/// One call of <see cref="DirectorEngine.Handle"/>: the time it happens at and the commands it returns, in the order
/// the parts emit them. Created per event and passed down to every part that decides something; never kept.
/// </summary>
internal sealed class EngineStep(DateTimeOffset now)
{
    /// <summary>The event's time; every timer and every timestamp of this step uses it.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The decisions so far, in order.</summary>
    public List<DirectorCommand> Commands { get; } = [];

    /// <summary>Adds a decision.</summary>
    public void Emit(DirectorCommand command) => Commands.Add(command);
}
