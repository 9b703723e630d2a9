using System.ComponentModel.DataAnnotations;

namespace Swarm.Director.Hosting;

/// <summary>Settings of the director host (section "Director"). Defaults suit one machine.</summary>
public sealed class DirectorOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Director";

    /// <summary>Address to listen on; default 127.0.0.1 (loopback only).</summary>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port for gRPC over TLS (HTTP/2); 0 picks a free port. Default 7400.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 7400;

    /// <summary>
    /// Turns TLS, authentication, rate limits and the audit log off (plain h2c, every caller an administrator). Only
    /// allowed with a loopback <see cref="Host"/>; meant for measuring what security costs. Default false.
    /// </summary>
    public bool InsecurePlaintext { get; set; }

    /// <summary>Extra names and addresses (comma-separated) the director's TLS certificate is valid for, beyond loopback and <see cref="Host"/>.</summary>
    public string TlsNames { get; set; } = "";

    /// <summary>Calls per second each caller (API key, probe, or address when anonymous) may make, sustained; default 2,000.</summary>
    [Range(1, 1_000_000)]
    public double RateLimitPerSecond { get; set; } = 2000;

    /// <summary>Calls a caller may make at once above the sustained rate; default 4,000.</summary>
    [Range(1, 10_000_000)]
    public int RateLimitBurst { get; set; } = 4000;

    /// <summary>Directory of the SQLite file; default ".swarm".</summary>
    [Required]
    public string DataDirectory { get; set; } = ".swarm";

    /// <summary>SQLite file name inside <see cref="DataDirectory"/>; default "director.db".</summary>
    [Required]
    public string DatabaseFile { get; set; } = "director.db";

    /// <summary>fsync every commit (FULL) rather than only the WAL checkpoints (NORMAL); default true.</summary>
    public bool SynchronousFull { get; set; } = true;

    /// <summary>How often probes send heartbeats, seconds; default 1.</summary>
    [Range(0.05, 60)]
    public double HeartbeatIntervalSeconds { get; set; } = 0.25;

    /// <summary>A probe silent this long is declared lost, seconds; default 10.</summary>
    [Range(0.2, 3600)]
    public double ProbeTimeoutSeconds { get; set; } = 1.75;

    /// <summary>Phi-accrual level at which a probe becomes suspect and gets no new work.</summary>
    public double PhiSuspect { get; set; } = 3;

    /// <summary>Phi-accrual level at which a probe is declared dead and its work moved.</summary>
    public double PhiDead { get; set; } = 8;

    /// <summary>Seconds running work gets to finish or checkpoint when a drain names no deadline.</summary>
    public double DrainGraceSeconds { get; set; } = 30;

    /// <summary>Seconds between sweeps of the blob store for blobs no task needs (0 = never).</summary>
    public double BlobGcIntervalSeconds { get; set; } = 300;

    /// <summary>An unreferenced blob is deleted only once it is this old (uploads whose reference is still on its way).</summary>
    public double BlobGcGraceSeconds { get; set; } = 600;

    /// <summary>A task failing on this many different probes is poison and fails its workflow.</summary>
    public int PoisonProbes { get; set; } = 3;

    /// <summary>An attempt running this many times its predicted runtime gets a speculative copy (0 = never).</summary>
    public double StragglerFactor { get; set; } = 2;

    /// <summary>How long a round waits for bids, milliseconds; default 250.</summary>
    [Range(5, 60_000)]
    public int RoundTimeoutMs { get; set; } = 250;

    /// <summary>How long a probe has to answer an award, seconds; default 10.</summary>
    [Range(0.1, 3600)]
    public double AwardTimeoutSeconds { get; set; } = 10;

    /// <summary>Engine timer period, milliseconds; default 50.</summary>
    [Range(5, 5_000)]
    public int TickMs { get; set; } = 50;

    /// <summary>Largest task output accepted, bytes; default 4 MiB.</summary>
    [Range(1_024, 256 * 1024 * 1024)]
    public int MaxTaskOutputBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest gRPC message, bytes; default 64 MiB.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest blob (task output or checkpoint) in the blob store, bytes; default 256 MiB.</summary>
    public long MaxBlobBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most tasks in one workflow; default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxTasksPerWorkflow { get; set; } = 100_000;

    /// <summary>Largest payload (command line, stdin, input) of one task, bytes; default 1 MiB.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxTaskPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Full path of the database file.</summary>
    /// <summary>How winners are paid: "vcg" (truthful; the default), "uniform" or "pay-as-bid".</summary>
    public string PaymentRule { get; set; } = "vcg";

    /// <summary>Wall-clock cap of winner determination per round, ms; default 200.</summary>
    [Range(10, 60_000)]
    public int SolverTimeLimitMs { get; set; } = 200;

    /// <summary>Fair-share weight and budget per tenant (Director:Tenants:NAME:Weight / :Budget); unlisted tenants get weight 1 and no budget.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The payment rule as the Core's enum; null when <see cref="PaymentRule"/> is not a known name.</summary>
    public Core.Negotiation.PaymentRule? ParsedPaymentRule => PaymentRule.ToUpperInvariant() switch
    {
        "VCG" => Core.Negotiation.PaymentRule.Vcg,
        "UNIFORM" => Core.Negotiation.PaymentRule.Uniform,
        "PAY-AS-BID" or "PAYASBID" => Core.Negotiation.PaymentRule.PayAsBid,
        _ => null,
    };

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFile));
}
