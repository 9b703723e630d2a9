namespace Swarm.Simulation.Scenarios;

/// <summary>A simulation scenario as written in a file: the fleet, the workload, the failures, the policies and seeds.</summary>
public sealed class Scenario
{
    /// <summary>Name in reports.</summary>
    public string Name { get; set; } = "scenario";

    /// <summary>Seeds to run each policy with (results are averaged; each seed replays exactly).</summary>
    public List<int> Seeds { get; set; } = [1];

    /// <summary>Virtual time limit, hours.</summary>
    public double HorizonHours { get; set; } = 72;

    /// <summary>Groups of identical machines.</summary>
    public List<FleetGroup> Fleet { get; set; } = [];

    /// <summary>What is submitted.</summary>
    public List<WorkloadItem> Workload { get; set; } = [];

    /// <summary>Probe churn; null for none.</summary>
    public FailureModel? Failures { get; set; }

    /// <summary>Simulated heartbeat interval, seconds (the lease is ten of them); larger for big fleets over long horizons.</summary>
    public double HeartbeatSeconds { get; set; } = 1;

    /// <summary>Director timer tick, seconds.</summary>
    public double TickSeconds { get; set; } = 0.1;

    /// <summary>Most probes called for bids per round (the engine's default when 0); larger fleets are called in turns.</summary>
    public int MaxProbesPerCall { get; set; }

    /// <summary>How winners are paid, as the director's <c>--payment-rule</c>: vcg (the default), uniform or pay-as-bid. Every
    /// policy pays under the same rule (VCG falls back to uniform where a clearing is not proven optimal).</summary>
    public string PaymentRule { get; set; } = "vcg";

    /// <summary>Keep the director's journal (needed for director crashes); scale runs may turn it off to save memory.</summary>
    public bool Journal { get; set; } = true;

    /// <summary>How often busy cores are sampled for the utilisation plot, seconds of virtual time.</summary>
    public double SampleSeconds { get; set; } = 60;

    /// <summary>Measured round trips: each fleet group's region is looked up from the director's region; null keeps rtt_ms.</summary>
    public LatencySource? Latency { get; set; }

    /// <summary>Policies to compare: swarm, swarm-reactive (swarm without proactive moves), random, round-robin, cheapest,
    /// least-loaded, rank, heft, min-min.</summary>
    public List<string> Policies { get; set; } = ["swarm"];

    /// <summary>
    /// WfCommons instances the runtime model is trained on before the run (an <c>INDEX.csv</c> whose folder holds the
    /// files, or single instance files), relative to the scenario file. Instances the workload submits (any file of the
    /// same name) are left out, so the model predicts them without having seen them. Every policy gets the same model.
    /// </summary>
    public List<string> RuntimeTraining { get; set; } = [];
}

/// <summary>Identical machines.</summary>
public sealed class FleetGroup
{
    /// <summary>Name; probes are NAME-0, NAME-1, ...</summary>
    public string Name { get; set; } = "node";

    /// <summary>How many machines.</summary>
    public int Count { get; set; } = 1;
    /// <summary>Cores each offers.</summary>
    public double Cores { get; set; } = 1;

    /// <summary>Memory each offers, MiB.</summary>
    public long MemoryMb { get; set; } = 4096;
    /// <summary>Speed relative to the recorded machines (2 = twice as fast).</summary>
    public double Speed { get; set; } = 1;

    /// <summary>Base asking price per core-second.</summary>
    public double Price { get; set; } = 0.01;
    /// <summary>Bid strategy: fixed, load, owner-priority or market.</summary>
    public string Strategy { get; set; } = "fixed";

    /// <summary>Region name.</summary>
    public string Region { get; set; } = "sim";
    /// <summary>Round trip to the director, ms.</summary>
    public double RttMs { get; set; } = 10;

    /// <summary>Grid carbon intensity, gCO2/kWh.</summary>
    public double Carbon { get; set; } = 300;
    /// <summary>Declared reliability in [0, 1].</summary>
    public double Reliability { get; set; } = 0.95;

    /// <summary>Owner's consent hours of the virtual (UTC) day, "HH:MM-HH:MM" (may wrap midnight); empty for always.</summary>
    public string ConsentHours { get; set; } = "";

    /// <summary>With <see cref="ConsentHours"/>: how long running work may go on after the window closes.</summary>
    public double DrainGraceSeconds { get; set; } = 30;

    /// <summary>The machines' class for the availability model (default: the group's name).</summary>
    public string MachineClass { get; set; } = "";

    /// <summary>
    /// Spot interruptions per machine-hour (0 = none). Each machine is interrupted at exponential intervals of this
    /// rate: it gets <see cref="InterruptionNoticeSeconds"/> of notice (it drains), then it is gone, and a replacement
    /// registers <see cref="ReplacementSeconds"/> later. AWS's Spot Instance Advisor publishes monthly frequencies in
    /// bands (under 5 %, 5-10 %, 10-15 %, 15-20 %, over 20 %): 10 % a month is about 0.00014 per hour.
    /// </summary>
    public double InterruptionsPerHour { get; set; }

    /// <summary>With <see cref="InterruptionsPerHour"/>: the notice before an interruption, seconds (AWS gives two minutes).</summary>
    public double InterruptionNoticeSeconds { get; set; } = 120;

    /// <summary>With <see cref="InterruptionsPerHour"/>: how long until an interrupted machine is replaced, seconds.</summary>
    public double ReplacementSeconds { get; set; } = 300;

    /// <summary>
    /// Or: take the machines from a node inventory (the shared <c>nodes/</c> files): the first <see cref="Count"/> nodes
    /// of the file, with their cores, memory (memory_mb when the file has none) and GPUs.
    /// </summary>
    public string Inventory { get; set; } = "";

    /// <summary>With <see cref="Inventory"/>: only its nodes with at least this many GPUs (0 = every node), for a GPU
    /// fleet from a mixed node list.</summary>
    public int InventoryMinGpus { get; set; }

    /// <summary>
    /// AWS spot price history (the shared <c>spot_price/</c> file): the group asks the recorded price of
    /// <see cref="InstanceType"/> in <see cref="Zone"/> at each moment, per core-second (price per hour / cores / 3600).
    /// </summary>
    public string SpotPrices { get; set; } = "";

    /// <summary>With <see cref="SpotPrices"/>: the instance type, e.g. m5.2xlarge.</summary>
    public string InstanceType { get; set; } = "";

    /// <summary>With <see cref="SpotPrices"/>: the availability-zone id, e.g. use1-az4.</summary>
    public string Zone { get; set; } = "";

    /// <summary>Grid carbon intensity over time (the shared <c>carbon/</c> files) instead of the fixed <see cref="Carbon"/>.</summary>
    public string CarbonTrace { get; set; } = "";

    /// <summary>Day-ahead electricity prices (the shared <c>energy_price/</c> files) for the energy cost of the group's work.</summary>
    public List<string> EnergyPrices { get; set; } = [];
}

/// <summary>Measured round-trip times (the shared <c>latency/</c> file).</summary>
public sealed class LatencySource
{
    /// <summary>The RTT file, relative to the scenario file.</summary>
    public string File { get; set; } = "";

    /// <summary>Where the director runs (a region of the matrix).</summary>
    public string DirectorRegion { get; set; } = "";

    /// <summary>Snapshot date (yyyy-mm-dd); empty for the latest.</summary>
    public string Snapshot { get; set; } = "";
}

/// <summary>One workload entry: a WfCommons instance (path relative to the scenario file) submitted at a time.</summary>
public sealed class WorkloadItem
{
    /// <summary>Path of a WfCommons instance (.json or .json.gz), relative to the scenario file.</summary>
    public string Wfcommons { get; set; } = "";

    /// <summary>The one trace this entry reads (whichever of the sources is set).</summary>
    internal string Source => new[] { Wfcommons, AlibabaBatch, GpuPods, Swf }.FirstOrDefault(x => !string.IsNullOrWhiteSpace(x)) ?? "";

    /// <summary>How many trace sources are set (exactly one is valid).</summary>
    internal int SourceCount => new[] { Wfcommons, AlibabaBatch, GpuPods, Swf }.Count(x => !string.IsNullOrWhiteSpace(x));

    /// <summary>Or: path of the Alibaba 2017 batch_task CSV; its jobs arrive as in the trace (relative to the first).</summary>
    public string AlibabaBatch { get; set; } = "";

    /// <summary>Or: the Alibaba 2023 GPU pod list; each pod is a one-task job arriving at its creation time.</summary>
    public string GpuPods { get; set; } = "";

    /// <summary>Or: a Standard Workload Format log (Parallel Workloads Archive); each job is a one-task job of its processors.</summary>
    public string Swf { get; set; } = "";

    /// <summary>With an arrival stream (alibaba_batch, gpu_pods, swf): how many jobs to take, in arrival order.</summary>
    public int Jobs { get; set; } = 100;

    /// <summary>With an arrival stream: only jobs arriving at or after this trace time, seconds (0 = from the start). A
    /// trace whose first rows are long-lived jobs already running when it begins (the GPU pod list) is read from later.</summary>
    public double FromSeconds { get; set; }

    /// <summary>Virtual submission time, seconds after the start.</summary>
    public double AtSeconds { get; set; }
    /// <summary>How many copies are submitted (an Alibaba stream is replayed this many times).</summary>
    public int Copies { get; set; } = 1;

    /// <summary>With an arrival stream: trace arrival times are multiplied by this (0.1 = ten times denser).</summary>
    public double ArrivalScale { get; set; } = 1;

    /// <summary>Deadline of each submitted workflow, seconds after its submission (0 = none); misses are counted.</summary>
    public double DeadlineSeconds { get; set; }

    /// <summary>
    /// With an arrival stream: skip rows with a missing or malformed value (counted, with the reason, in the report)
    /// instead of stopping at the first one. Off by default: a trace is read strictly.
    /// </summary>
    public bool SkipIncompleteRows { get; set; }
}

/// <summary>Exponential up and down times per probe.</summary>
public sealed class FailureModel
{
    /// <summary>Mean up-time of a probe, seconds.</summary>
    public double MeanTimeToFailureSeconds { get; set; } = 3600;

    /// <summary>Mean down-time, seconds.</summary>
    public double MeanTimeToRepairSeconds { get; set; } = 300;

    /// <summary>Or: replay the LANL failure trace (path relative to the scenario file); probes take nodes in order.</summary>
    public string Lanl { get; set; } = "";

    /// <summary>With <see cref="Lanl"/>: only this system's nodes (0 = all).</summary>
    public int System { get; set; }

    /// <summary>With <see cref="Lanl"/>: trace time is multiplied by this (HPC outages are rare: scale down to mimic volatile devices).</summary>
    public double TimeScale { get; set; } = 1;
}
