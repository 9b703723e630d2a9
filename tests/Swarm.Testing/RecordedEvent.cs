using Swarm.Core.Engine;

namespace Swarm.Testing;

/// <summary>One event fed to an engine, with the time it was fed at; a list of them replays a run.</summary>
/// <param name="Event">The event.</param>
/// <param name="At">The <c>now</c> passed with it.</param>
public sealed record RecordedEvent(DirectorEvent Event, DateTimeOffset At);
