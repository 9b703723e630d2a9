using Swarm.Core.Model;

namespace Swarm.Core.Clearing;

/// <summary>A probe as the clearing sees it.</summary>
/// <param name="ProbeId">Its id.</param>
/// <param name="Free">Capacity not yet awarded; the sum of shapes placed on it must fit inside, in every dimension.</param>
/// <param name="Zone">Its zone ("region/zone"), used by same-zone gangs.</param>
public sealed record ClearingProbe(string ProbeId, ResourceVector Free, string Zone);
