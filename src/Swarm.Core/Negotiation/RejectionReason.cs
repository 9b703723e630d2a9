namespace Swarm.Core.Negotiation;

/// <summary>Why a bid (or one line of it) was not considered.</summary>
public enum RejectionReason
{
    /// <summary>The price is NaN or infinite.</summary>
    NonFinitePrice = 1,

    /// <summary>The price is below zero.</summary>
    NegativePrice,

    /// <summary>The price is above the director's ceiling.</summary>
    PriceAboveCeiling,

    /// <summary>Units are zero or negative.</summary>
    InvalidUnits,

    /// <summary>The probe offers more than its declared capacity holds.</summary>
    ExceedsDeclaredCapacity,

    /// <summary>The bid names a demand the call did not have.</summary>
    UnknownDemand,

    /// <summary>The bid's validity ended before the round cleared.</summary>
    Expired,

    /// <summary>The bid answers a round that is not open.</summary>
    WrongRound,

    /// <summary>The bid comes from a probe the director does not know or did not call.</summary>
    UnknownProbe,

    /// <summary>The probe's owner does not allow this task kind, or it lacks the function.</summary>
    KindNotAllowed,

    /// <summary>A second bid from the same probe in the same round.</summary>
    DuplicateBid,
}
