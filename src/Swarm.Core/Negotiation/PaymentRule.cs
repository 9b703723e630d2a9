namespace Swarm.Core.Negotiation;

/// <summary>How winning probes are paid.</summary>
public enum PaymentRule
{
    /// <summary>Each winner is paid its asked price.</summary>
    PayAsBid = 1,

    /// <summary>All winners of a demand are paid one price: the lowest price that lost (capped by the reserve), or the highest winning price when none lost.</summary>
    Uniform,

    /// <summary>
    /// Vickrey-Clarke-Groves: each winner is paid its asked price plus what its presence adds to the round's welfare,
    /// so asking one's true cost is each probe's best strategy. Needs an exact solve per winner.
    /// </summary>
    Vcg,
}
