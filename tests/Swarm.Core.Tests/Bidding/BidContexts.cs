using Swarm.Core.Bidding;
using Swarm.Core.Model;
using Swarm.Core.Negotiation;

namespace Swarm.Core.Tests.Bidding;

/// <summary>Builds the <see cref="BidContext"/> a strategy sees for a one-core exec demand.</summary>
internal static class BidContexts
{
    public static BidContext For(double utilisation = 0, double ownerLoad = 0, double floor = 0, double referencePrice = 0) =>
        new(new Demand(0, new ResourceVector(1000, 512), TaskKind.Exec, "", 1, 1, referencePrice), utilisation, ownerLoad, floor);
}
