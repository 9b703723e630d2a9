using System.ComponentModel.DataAnnotations;
using Swarm.Core.Bidding;

namespace Swarm.Probe.Agent;

/// <summary>Settings of a probe agent (section "Probe").</summary>
public sealed class ProbeAgentOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Probe";

    /// <summary>The director's address; default http://127.0.0.1:7400.</summary>
    [Required]
    public string DirectorUrl { get; set; } = "https://127.0.0.1:7400";

    /// <summary>How exec tasks are confined: none, auto (bubblewrap when it works here) or bwrap (required). Default none.</summary>
    public string Sandbox { get; set; } = "none";

    /// <summary>Whether sandboxed exec tasks may use the network. Default false.</summary>
    public bool SandboxNetwork { get; set; }

    /// <summary>The owner's ledger of every task run here (JSON lines); default ledger.jsonl in the identity folder.</summary>
    public string LedgerFile { get; set; } = "";

    /// <summary>A one-time enrolment token (swarm token create --role probe); needed only until the probe has its certificate.</summary>
    public string EnrolmentToken { get; set; } = "";

    /// <summary>The director's CA certificate (PEM) to pin at enrolment instead of fetching it and checking it against the token's hash.</summary>
    public string CaCertificatePath { get; set; } = "";

    /// <summary>Where the probe keeps its key, certificate and the director's CA; default the work directory's "identity" folder.</summary>
    public string IdentityDirectory { get; set; } = "";

    /// <summary>Stable probe id; default the host name.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,128}$", ErrorMessage = "Probe:ProbeId must be 1-128 letters, digits, '-', '_' or '.'")]
    public string ProbeId { get; set; } = SanitizedHostName();

    /// <summary>Region, e.g. "eu-west".</summary>
    public string Region { get; set; } = "local";

    /// <summary>Zone inside the region.</summary>
    public string Zone { get; set; } = "";

    /// <summary>What kind of machine this is (spot, cloud, laptop, edge, ...); the director learns up-times per class. Empty = default.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{0,64}$", ErrorMessage = "Probe:MachineClass must be at most 64 letters, digits or -_.")]
    public string MachineClass { get; set; } = "";

    /// <summary>Latitude in degrees.</summary>
    [Range(-90, 90)]
    public double Latitude { get; set; }

    /// <summary>Longitude in degrees.</summary>
    [Range(-180, 180)]
    public double Longitude { get; set; }

    /// <summary>Energy price, currency units per kWh.</summary>
    [Range(0, 1e6)]
    public double EnergyPrice { get; set; }

    /// <summary>Grid carbon intensity, gCO2/kWh.</summary>
    [Range(0, 1e5)]
    public double CarbonIntensity { get; set; }

    /// <summary>Owner-declared reliability in [0, 1]; default 0.95.</summary>
    [Range(0, 1)]
    public double DeclaredReliability { get; set; } = 0.95;

    /// <summary>
    /// Asking price per core-second when idle ("market": before any market price is seen); in [0, 1e6], default 0.01.
    /// Checked with the other strategy numbers by <see cref="ProbeAgentOptionsValidator"/>.
    /// </summary>
    public double BasePrice { get; set; } = 0.01;

    /// <summary>
    /// Price strategy: "fixed", "load" (rises with utilisation), "owner-priority" (rises steeply with the owner's own load)
    /// or "market" (follows recent clearing prices); default "load". See <see cref="BidStrategies"/>.
    /// </summary>
    public string PriceStrategy { get; set; } = BidStrategies.LoadName;

    /// <summary>"load": what a fully used probe adds, as a multiple of the base price; in [0, 1000], default 1.</summary>
    public double LoadSlope { get; set; } = 1;

    /// <summary>"owner-priority": how steeply the owner's load raises the price; in [0, 1000], default 1.</summary>
    public double OwnerWeight { get; set; } = 1;

    /// <summary>"market": fraction below the average recent price to bid; in [0, 1), default 0.05.</summary>
    public double MarketUndercut { get; set; } = 0.05;

    /// <summary>"market": weight of a new price in the moving average; in (0, 1], default 0.3.</summary>
    public double MarketSmoothing { get; set; } = 0.3;

    /// <summary>"market": markup change after a round won (+) or lost (-); in [0, 1], default 0.05.</summary>
    public double MarketStep { get; set; } = 0.05;

    /// <summary>"market": largest markup either way; in [0, 1), default 0.5.</summary>
    public double MarketMaxShift { get; set; } = 0.5;

    /// <summary>Owner policy file (JSON); empty means opt in with no limits.</summary>
    public string PolicyFile { get; set; } = "";

    /// <summary>Cap on millicores on top of the policy (0 = none).</summary>
    [Range(0, long.MaxValue)]
    public long MaxCpuMillis { get; set; }

    /// <summary>Cap on memory MiB on top of the policy (0 = none).</summary>
    [Range(0, long.MaxValue)]
    public long MaxMemoryMb { get; set; }

    /// <summary>Scratch directory for tasks; default a folder under the system temp directory.</summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary>Extra .NET assemblies with task functions (semicolon-separated paths).</summary>
    public string FunctionAssemblies { get; set; } = "";

    /// <summary>How long a bid stands, seconds; default 5.</summary>
    [Range(0.1, 3600)]
    public double BidValiditySeconds { get; set; } = 5;

    /// <summary>
    /// Bid through a standing offer (priced once, renewed on the heartbeat stream) instead of answering each call for
    /// bids: true or false; unset (the default) uses one unless the price strategy learns from the calls it sees ("market").
    /// </summary>
    public bool? StandingOffers { get; set; }

    /// <summary>How long a standing offer stands, seconds; renewed on a heartbeat once half of it has passed; default 30.</summary>
    [Range(1, 3600)]
    public double StandingOfferSeconds { get; set; } = 30;

    /// <summary>Longest wait between reconnect attempts, seconds; default 5.</summary>
    [Range(0.05, 600)]
    public double ReconnectMaxSeconds { get; set; } = 5;

    /// <summary>Largest message to or from the director, bytes; default 64 MiB.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest captured stdout of an exec task, bytes; default 4 MiB.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxOutputBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Largest task output sent inline with its result, bytes; a larger successful output goes to the director's blob
    /// store and the result carries its hash. Default 1 MiB; must be below <see cref="MaxMessageBytes"/>.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int InlineOutputBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest checkpoint archive saved, bytes; a larger checkpoint is skipped with a warning. Default 64 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long CheckpointMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Largest blob downloaded for an attempt (a parent's output, a checkpoint to resume from), bytes; a larger one
    /// fails the attempt. Default 1 GiB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxDownloadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Seconds running tasks get to finish or checkpoint after a drain begins, when the director gave no deadline;
    /// then they are killed. Default 30.
    /// </summary>
    [Range(0, 86400)]
    public double DrainGraceSeconds { get; set; } = 30;

    /// <summary>How often the owner's policy is checked for a change (hours, idleness), seconds; default 5.</summary>
    [Range(0.05, 3600)]
    public double PolicyCheckSeconds { get; set; } = 5;

    /// <summary>The strategy tuning these options name.</summary>
    public BidStrategyParameters BidParameters() => new()
    {
        LoadSlope = LoadSlope,
        OwnerWeight = OwnerWeight,
        MarketUndercut = MarketUndercut,
        MarketSmoothing = MarketSmoothing,
        MarketStep = MarketStep,
        MarketMaxShift = MarketMaxShift,
    };

    /// <summary>Builds the bid strategy these options name; call on validated options.</summary>
    /// <exception cref="ArgumentException">The strategy name or a number is bad.</exception>
    public IBidStrategy CreateBidStrategy() => BidStrategies.Create(PriceStrategy, BasePrice, BidParameters());

    private static string SanitizedHostName()
    {
        var name = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        return name.Length == 0 ? "probe" : name[..Math.Min(name.Length, 128)];
    }
}
