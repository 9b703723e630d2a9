using Swarm.Core.Model;
using Swarm.Core.Workflow;
using Swarm.Simulation.Traces;

namespace Swarm.Simulation.Tests;

/// <summary>
/// The loaders of the shared GPU-pod, SWF, spot-price, carbon, energy-price, latency and node files. Samples under
/// TestData are real rows copied from the shared files; the expected values below are read off those rows.
/// </summary>
public sealed class MoreTraceLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-sim-traces-").FullName;

    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    private static DateTimeOffset Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    // ---- Alibaba GPU pods 2023 ----

    [Fact]
    public void GpuPods_RealRows_SkipsPendingAndTakesDurationFromScheduledTime()
    {
        var pods = AlibabaGpuPods.Load(Data("gpu-pods-sample.csv"));

        Assert.Equal(25, pods.Count); // 26 rows, one Pending (openb-pod-0061).
        Assert.DoesNotContain(pods, p => p.Name == "openb-pod-0061");
        Assert.Equal(pods.OrderBy(p => p.ArrivalSeconds), pods);
        // openb-pod-0063,12000,24576,1,1000,,LS,Running,10001854,10043044,10002793
        var p63 = pods.Single(p => p.Name == "openb-pod-0063");
        Assert.Equal(new GpuPod("openb-pod-0063", 10001854, 10043044 - 10002793, 12000, 24576, 1, 1000, p63.GpuModels, "LS", "Running"), p63);
        Assert.Empty(p63.GpuModels);
        // openb-pod-0059,11908,47104,1,470,,LS,Running,10000836,10002563,10000838: a GPU-sharing pod.
        Assert.Equal(470, pods.Single(p => p.Name == "openb-pod-0059").GpuMilli);
        // openb-pod-0017,88000,327680,8,1000,,Burstable,Succeeded,9437497,10769854,9437497
        var p17 = pods.Single(p => p.Name == "openb-pod-0017");
        Assert.Equal((8, "Burstable", "Succeeded", 10769854.0 - 9437497), (p17.Gpus, p17.Qos, p17.Phase, p17.DurationSeconds));
    }

    [Fact]
    public void GpuPods_MaxPods_KeepsTheEarliestArrivals()
    {
        var pods = AlibabaGpuPods.Load(Data("gpu-pods-sample.csv"), maxPods: 3);

        Assert.Equal(["openb-pod-0000", "openb-pod-0001", "openb-pod-0002"], pods.Select(p => p.Name));
    }

    [Fact]
    public void GpuPods_ToJobs_MakesOneValidSingleTaskWorkflowPerPod()
    {
        var pods = AlibabaGpuPods.Load(Data("gpu-pods-sample.csv"));

        var jobs = AlibabaGpuPods.ToJobs(pods);

        Assert.Equal(pods.Count, jobs.Count);
        var job = jobs.Single(j => j.JobId == "openb-pod-0017");
        var task = Assert.Single(job.Spec.Tasks);
        Assert.Equal(new ResourceVector(88000, 327680, 8), task.Resources);
        Assert.Equal(0, task.EstimatedSeconds); // a pod does not say how long it will live: the duration only drives the run
        Assert.Equal("gpu/Burstable-g8", task.Category);
        Assert.Equal(10769854.0 - 9437497, job.ActualSeconds[task.Id]);
        Assert.Equal(9437497, job.ArrivalSeconds);
        Assert.All(jobs, j => Assert.Empty(WorkflowValidator.Validate(j.Spec, new WorkflowLimits())));
    }

    [Fact]
    public void GpuPods_GpuSpec_SplitsModelsAndPinsOnlyASingleModel()
    {
        var path = Write("pods.csv", """
            name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
            a,1000,1024,1,1000,V100M16|V100M32,LS,Running,0,100,10
            b,1000,1024,2,1000,P100,LS,Running,5,100,10
            """);

        var pods = AlibabaGpuPods.Load(path);
        var jobs = AlibabaGpuPods.ToJobs(pods);

        Assert.Equal(["V100M16", "V100M32"], pods[0].GpuModels);
        Assert.Equal("", jobs[0].Spec.Tasks[0].Resources.GpuModel);
        Assert.Equal(new ResourceVector(1000, 1024, 2, GpuModel: "P100"), jobs[1].Spec.Tasks[0].Resources);
    }

    [Fact]
    public void GpuPods_BadNumGpu_NamesLineAndColumn()
    {
        var path = Write("pods.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\na,1000,1024,1,1000,,LS,Running,0,100,10\nb,1000,1024,two,1000,,LS,Running,0,100,10\n");

        var ex = Assert.Throws<TraceFormatException>(() => AlibabaGpuPods.Load(path));

        Assert.Equal($"{path}: line 3: 'num_gpu' is 'two', not a whole number", ex.Message);
    }

    // ---- Standard Workload Format ----

    [Fact]
    public void Swf_RealRows_SkipsCommentsAndJobsThatDidNotRun()
    {
        var jobs = SwfLog.Load(Data("nasa-sample.swf"));

        Assert.Equal(26, jobs.Count); // 31 job lines, 5 with run time 0 (jobs 658, 659, 669, 670, 671).
        Assert.DoesNotContain(jobs, j => j.JobNumber is 658 or 659 or 669 or 670 or 671);
        //     4     6269     -1  10927  128     -1    -1   -1     -1    -1 -1   2   1  -1 -1 -1 -1 -1
        Assert.Equal(new SwfJob(4, 6269, -1, 10927, 128, -1, 2), jobs.Single(j => j.JobNumber == 4));
        //    61    27968     -1     69    2     -1    -1   -1     -1    -1 -1   5   2   5 -1 -1 -1 -1
        Assert.Equal(new SwfJob(61, 27968, -1, 69, 2, -1, 5), jobs.Single(j => j.JobNumber == 61));
        Assert.Equal(jobs.OrderBy(j => j.SubmitSeconds), jobs);
    }

    [Fact]
    public void Swf_MaxJobs_KeepsTheFirstSubmitted()
    {
        Assert.Equal([1L, 2L], SwfLog.Load(Data("nasa-sample.swf"), maxJobs: 2).Select(j => j.JobNumber));
    }

    [Fact]
    public void Swf_AllocatedUnknown_FallsBackToRequestedProcessors()
    {
        var path = Write("log.swf", """
            ; a comment
            1 0 5 100 -1 -1 -1 16 -1 -1 1 3 1 -1 -1 -1 -1 -1
            2 10 5 100 -1 -1 -1 -1 -1 -1 1 3 1 -1 -1 -1 -1 -1
            """);

        var job = Assert.Single(SwfLog.Load(path)); // job 2: no processor count at all.

        Assert.Equal(new SwfJob(1, 0, 5, 100, 16, 1, 3), job);
    }

    [Fact]
    public void Swf_SeventeenFields_IsRefusedWithTheLine()
    {
        var path = Write("log.swf", "; header\n1 0 5 100 4 -1 -1 4 -1 -1 1 3 1 -1 -1 -1 -1\n");

        var ex = Assert.Throws<TraceFormatException>(() => SwfLog.Load(path));

        Assert.Equal($"{path}: line 2: 17 fields, expected 18", ex.Message);
    }

    [Fact]
    public void Swf_NotANumber_NamesLineAndField()
    {
        var path = Write("log.swf", "1 0 5 100 4 -1 -1 4 -1 -1 1 3 1 -1 -1 -1 -1 -1\n2 0 5 100 four -1 -1 4 -1 -1 1 3 1 -1 -1 -1 -1 -1\n");

        var ex = Assert.Throws<TraceFormatException>(() => SwfLog.Load(path));

        Assert.Equal($"{path}: line 2: field 5 (allocated processors) is 'four', not a number", ex.Message);
    }

    [Fact]
    public void Swf_ToJobs_AsksOneCorePerProcessor()
    {
        var jobs = SwfLog.ToJobs(SwfLog.Load(Data("nasa-sample.swf")));

        var job4 = jobs.Single(j => j.JobId == "4");
        var task = Assert.Single(job4.Spec.Tasks);
        Assert.Equal((128_000L, 10927.0, 6269.0), (task.Resources.CpuMillis, job4.ActualSeconds[task.Id], job4.ArrivalSeconds));
        Assert.All(jobs, j => Assert.Empty(WorkflowValidator.Validate(j.Spec, new WorkflowLimits())));
    }

    // ---- AWS spot prices ----

    [Fact]
    public void Spot_RealRows_PriceHoldsUntilTheNextChange()
    {
        var sut = SpotPrices.Load(Data("spot-sample.csv"));

        // Linux/UNIX rows: euw3-az2 g4dn.4xlarge, euw3-az1 and euw3-az3 inf1.xlarge, usw2-az4 r5a.8xlarge (2), usw2-az4 c5.4xlarge (2).
        Assert.Equal(5, sut.Series.Count);
        Assert.All(sut.Series, s => Assert.Equal("Linux/UNIX", s.Market.Product));
        Assert.True(sut.TryGet(new SpotMarket("usw2-az4", "c5.4xlarge", "Linux/UNIX"), out var c5));
        // usw2-az4,c5.4xlarge,Linux/UNIX,0.270500,2022-05-31T19:58:06+00:00 then 0.270100 at 23:53:03.
        Assert.Equal(0.2705, c5.PriceAt(Utc(2022, 5, 31, 18, 0))); // before the first change: the first price.
        Assert.Equal(0.2705, c5.PriceAt(Utc(2022, 5, 31, 19, 58, 6)));
        Assert.Equal(0.2705, c5.PriceAt(Utc(2022, 5, 31, 23, 53, 2)));
        Assert.Equal(0.2701, c5.PriceAt(Utc(2022, 5, 31, 23, 53, 3)));
        Assert.Equal(0.2701, c5.PriceAt(Utc(2022, 6, 1, 12, 0)));
    }

    [Fact]
    public void Spot_AllProductsOneType_KeepsEveryOsOfThatType()
    {
        var sut = SpotPrices.Load(Data("spot-sample.csv"), product: null, instanceTypes: ["c5.4xlarge"]);

        Assert.Equal(["Linux/UNIX", "Red Hat Enterprise Linux", "SUSE Linux", "Windows"], sut.Series.Select(s => s.Market.Product));
        // usw2-az4,c5.4xlarge,Windows,0.993600,2022-05-31T19:58:05+00:00
        Assert.Equal(new SpotPriceChange(Utc(2022, 5, 31, 19, 58, 5), 0.9936), Assert.Single(sut.Series[^1].Changes));
    }

    [Fact]
    public void Spot_ZoneFilter_KeepsOnlyThatZone()
    {
        var sut = SpotPrices.Load(Data("spot-sample.csv"), product: null, zones: ["euw3-az1"]);

        Assert.Equal(["inf1.xlarge", "inf1.xlarge", "inf1.xlarge", "r6i.2xlarge"], sut.Series.Select(s => s.Market.InstanceType));
        Assert.False(sut.TryGet(new SpotMarket("euw3-az2", "g4dn.4xlarge", "Linux/UNIX"), out _));
    }

    [Fact]
    public void Spot_BadTimestamp_NamesLineAndColumn()
    {
        var path = Write("spot.csv", "availability_zone_id,instance_type,product_description,spot_price_usd_per_hour,timestamp\nuse1-az4,c5.large,Linux/UNIX,0.03,31/05/2022 18:00\n");

        var ex = Assert.Throws<TraceFormatException>(() => SpotPrices.Load(path));

        Assert.Equal($"{path}: line 2: 'timestamp' is '31/05/2022 18:00', not an ISO 8601 time", ex.Message);
    }

    // ---- Carbon intensity ----

    [Fact]
    public void Carbon_RealRows_ValueHoldsUntilTheNextRow()
    {
        var gb = CarbonIntensity.Load(Data("carbon-gb-sample.csv"));

        Assert.Equal(36, gb.Points.Count);
        Assert.Equal(Utc(2020, 10, 30, 14, 0), gb.Start);
        Assert.Equal(236.941466834946, gb.At(Utc(2020, 10, 30, 14, 29)));       // 2020-10-30 14:00:00
        Assert.Equal(242.05075037553874, gb.At(Utc(2020, 10, 30, 14, 30)));     // 2020-10-30 14:30:00
        Assert.Equal(160.49555034091915, gb.At(Utc(2020, 10, 31, 0, 20)));      // 2020-10-31 00:15:00
        Assert.Equal(236.941466834946, gb.At(Utc(2020, 10, 1, 0, 0)));          // before the first row: the first value.
        Assert.Equal(Utc(2020, 10, 31, 4, 0), gb.End);                           // the last row (03:45) holds one 15-minute step.
    }

    [Fact]
    public void Carbon_ResampleToHalfHours_AveragesQuarterHoursAndMatchesFrGrid()
    {
        var gb = CarbonIntensity.Load(Data("carbon-gb-sample.csv")).Resample(TimeSpan.FromMinutes(30));
        var fr = CarbonIntensity.Load(Data("carbon-fr-sample.csv"));

        Assert.Equal(fr.Points.Select(p => p.At), gb.Points.Select(p => p.At)); // both 14:00 .. 03:30 every 30 minutes.
        Assert.All(fr.Points.Zip(fr.Resample(TimeSpan.FromMinutes(30)).Points), p => Assert.Equal(p.First.GramsPerKwh, p.Second.GramsPerKwh, 9));
        Assert.Equal(236.941466834946, gb.At(Utc(2020, 10, 30, 14, 0)), 9);     // a 30-minute row stays as it is.
        Assert.Equal((165.61141458724816 + 160.49555034091915) / 2, gb.At(Utc(2020, 10, 31, 0, 0)), 9);  // 00:00 and 00:15.
        Assert.Equal((106.46586120380971 + 104.15448014032727) / 2, gb.At(Utc(2020, 10, 31, 3, 30)), 9); // 03:30 and 03:45.
    }

    [Fact]
    public void Carbon_Mean_WeighsEachValueByHowLongItHolds()
    {
        var path = Write("ci.csv", "time,carbon_intensity_gco2_per_kwh\n2020-01-01 00:00:00,100\n2020-01-01 00:30:00,200\n2020-01-01 00:45:00,400\n");

        var sut = CarbonIntensity.Load(path);

        // 100 for 30 min, 200 for 15 min, 400 for 15 min (the step before it) = 12000 / 60.
        Assert.Equal(200, sut.Mean, 9);
    }

    [Fact]
    public void Carbon_BadValue_NamesLineAndColumn()
    {
        var path = Write("ci.csv", "time,carbon_intensity_gco2_per_kwh\n2020-01-01 00:00:00,100\n2020-01-01 00:30:00,n/a\n");

        var ex = Assert.Throws<TraceFormatException>(() => CarbonIntensity.Load(path));

        Assert.Equal($"{path}: line 3: 'carbon_intensity_gco2_per_kwh' is 'n/a', not a number", ex.Message);
    }

    [Fact]
    public void Carbon_TimeGoingBack_NamesTheLine()
    {
        var path = Write("ci.csv", "time,carbon_intensity_gco2_per_kwh\n2020-01-01 00:30:00,100\n2020-01-01 00:00:00,200\n");

        var ex = Assert.Throws<TraceFormatException>(() => CarbonIntensity.Load(path));

        Assert.Equal($"{path}: line 3: 'time' is '2020-01-01 00:00:00', not after line 2's", ex.Message);
    }

    // ---- Czech day-ahead energy prices ----

    [Fact]
    public void Energy_AutumnDstDay_GivesTheRepeatedHourItsOwnUtcHour()
    {
        var sut = EnergyPrices.Load(Data("energy-cz-sample.csv"));
        var cest = TimeSpan.FromHours(2);
        var cet = TimeSpan.FromHours(1);

        var autumn = sut.Hours.Where(h => h.Start >= new DateTimeOffset(2020, 10, 25, 0, 0, 0, cest)).ToList();
        Assert.Equal(25, autumn.Count);
        Assert.Equal(25, autumn.Select(h => h.Start).Distinct().Count());
        Assert.All(autumn.Zip(autumn.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second.Start - p.First.Start));
        Assert.Equal(1.2, sut.At(new DateTimeOffset(2020, 10, 25, 0, 0, 0, cest)));   // 2020-10-25,00:00,01:00,1.2
        Assert.Equal(7.2, sut.At(new DateTimeOffset(2020, 10, 25, 2, 30, 0, cest)));  // 2020-10-25,02:00,03:00,7.2 (first 02:00, summer time)
        Assert.Equal(4.55, sut.At(new DateTimeOffset(2020, 10, 25, 2, 30, 0, cet))); // 2020-10-25,03:00,04:00,4.55 (02:00 again, winter time)
        Assert.Equal(8.2, sut.At(new DateTimeOffset(2020, 10, 25, 3, 0, 0, cet)));   // 2020-10-25,04:00,05:00,8.2
        Assert.Equal(25.01, sut.At(new DateTimeOffset(2020, 10, 25, 23, 0, 0, cet))); // 2020-10-25,24:00,24:00,25.01 (the 25th hour)
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 0, 0, 0, cet), sut.End);
    }

    [Fact]
    public void Energy_SpringDstDay_HasTwentyThreeHoursFromLocalMidnight()
    {
        var sut = EnergyPrices.Load(Data("energy-cz-sample.csv"));
        var cest = TimeSpan.FromHours(2);
        var cet = TimeSpan.FromHours(1);

        Assert.Equal(23 + 25, sut.Hours.Count);
        Assert.Equal(new DateTimeOffset(2020, 3, 29, 0, 0, 0, cet), sut.Start);
        Assert.Equal(9.27, sut.At(new DateTimeOffset(2020, 3, 29, 1, 0, 0, cet)));   // 2020-03-29,01:00,02:00,9.27
        Assert.Equal(6.0, sut.At(new DateTimeOffset(2020, 3, 29, 3, 0, 0, cest)));   // 2020-03-29,02:00,03:00,6.0 (the third hour starts 03:00 CEST)
        Assert.Equal(-1.0, sut.At(new DateTimeOffset(2020, 3, 29, 14, 0, 0, cest))); // 2020-03-29,13:00,14:00,-1.0 (a negative price)
        Assert.Equal(18.87, sut.At(new DateTimeOffset(2020, 3, 29, 23, 0, 0, cest))); // 2020-03-29,22:00,23:00,18.87 (the last hour)
        Assert.Equal(new DateTimeOffset(2020, 3, 30, 0, 0, 0, cest), sut.Hours.Single(h => h.EurPerMwh == 18.87).Start + TimeSpan.FromHours(1));
    }

    [Fact]
    public void Energy_SeveralFiles_MakeOneSeries()
    {
        var lines = File.ReadAllLines(Data("energy-cz-sample.csv"));
        var spring = Write("2020a.csv", string.Join('\n', lines.Where(l => !l.StartsWith("2020-10-", StringComparison.Ordinal))));
        var autumn = Write("2020b.csv", string.Join('\n', lines.Where(l => !l.StartsWith("2020-03-", StringComparison.Ordinal))));

        var both = EnergyPrices.Load([autumn, spring]);

        Assert.Equal(EnergyPrices.Load(Data("energy-cz-sample.csv")).Hours, both.Hours);
    }

    [Fact]
    public void Energy_SameHourInTwoFiles_NamesBoth()
    {
        var ex = Assert.Throws<TraceFormatException>(() => EnergyPrices.Load([Data("energy-cz-sample.csv"), Data("energy-cz-sample.csv")]));

        Assert.Contains("line 2: the hour starting 2020-03-28 23:00 UTC is already given by ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Energy_DayMissingAnHour_NamesTheDayAndHour()
    {
        var path = Write("cz.csv", "date,time_from,time_to,price_eur_mwh\n2020-01-01,00:00,01:00,33.2\n2020-01-01,01:00,02:00,30.4\n");

        var ex = Assert.Throws<TraceFormatException>(() => EnergyPrices.Load(path));

        Assert.Equal($"{path}: line 2: 2020-01-01 has 2 rows, but 24 hours in {EnergyPrices.Prague.Id} (no row for 02:00)", ex.Message);
    }

    [Fact]
    public void Energy_BadTimeFrom_NamesLineAndColumn()
    {
        var path = Write("cz.csv", "date,time_from,time_to,price_eur_mwh\n2020-01-01,00:30,01:00,33.2\n");

        var ex = Assert.Throws<TraceFormatException>(() => EnergyPrices.Load(path));

        Assert.Equal($"{path}: line 2: 'time_from' is '00:30', not an hour 'HH:00' (00 to 24)", ex.Message);
    }

    [Fact]
    public void Energy_Prague_IsCetInWinterAndCestInSummer()
    {
        Assert.Equal(TimeSpan.FromHours(1), EnergyPrices.Prague.GetUtcOffset(Utc(2020, 1, 15, 12, 0)));
        Assert.Equal(TimeSpan.FromHours(2), EnergyPrices.Prague.GetUtcOffset(Utc(2020, 7, 15, 12, 0)));
    }

    // ---- IBM Cloud RTT ----

    [Fact]
    public void Latency_DefaultSnapshot_IsTheLatestInterRegionMatrix()
    {
        var sut = LatencyMatrix.Load(Data("rtt-sample.csv"));

        Assert.Equal(new DateOnly(2025, 5, 25), sut.Snapshot);
        Assert.Equal([new DateOnly(2023, 2, 26), new DateOnly(2025, 5, 18), new DateOnly(2025, 5, 25)], sut.Snapshots);
        Assert.Equal(["Dallas", "Frankfurt", "London", "Madrid", "Montreal", "Osaka", "Sao Paulo", "Sydney", "Tokyo", "Toronto", "Washington DC"], sut.Regions);
        Assert.Equal(114.0, sut.RttMs("Dallas", "Madrid"));     // 2025-05-25,...,Dallas,Madrid,114.0
        Assert.Equal(13.0, sut.RttMs("Frankfurt", "London"));   // 2025-05-25,...,Frankfurt,London,13.0
        Assert.Equal(32.0, sut.RttMs("washington dc", "DALLAS")); // only Dallas -> Washington DC measured: the reverse direction.
    }

    [Fact]
    public void Latency_ChosenSnapshot_UsesItsRows()
    {
        var sut = LatencyMatrix.Load(Data("rtt-sample.csv"), new DateOnly(2025, 5, 18));

        Assert.Equal(115.0, sut.RttMs("Dallas", "Madrid")); // 2025-05-18,...,Dallas,Madrid,115.0
        Assert.Equal(["Dallas", "Frankfurt", "London", "Madrid"], sut.Regions);
    }

    [Fact]
    public void Latency_InterAz_ReadsZonePairs()
    {
        var sut = LatencyMatrix.Load(Data("rtt-sample.csv"), kind: "inter_az");

        Assert.Equal(0.09, sut.RttMs("au-syd-syd01-a", "au-syd-syd01-a"));
        Assert.Equal(0.83, sut.RttMs("au-syd-syd05-a", "au-syd-syd01-a")); // reverse of syd01 -> syd05.
        Assert.Equal([new DateOnly(2025, 5, 25)], sut.Snapshots);
    }

    [Fact]
    public void Latency_UnknownRegion_ListsTheKnownOnes()
    {
        var sut = LatencyMatrix.Load(Data("rtt-sample.csv"), new DateOnly(2025, 5, 18));

        var ex = Assert.Throws<ArgumentException>(() => sut.RttMs("Dallas", "Paris"));

        Assert.Contains("unknown inter_region region 'Paris' in snapshot 2025-05-18 (known: Dallas, Frankfurt, London, Madrid)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_UnknownSnapshot_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => LatencyMatrix.Load(Data("rtt-sample.csv"), new DateOnly(2024, 1, 7)));

        Assert.Contains("no 'inter_region' snapshot 2024-01-07 (it has 3, 2023-02-26 to 2025-05-25)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_QuotedCells_AreRead()
    {
        var path = Write("rtt.csv", "\"snapshot_date\",\"window_start\",\"window_end\",\"kind\",\"src\",\"dst\",\"avg_rtt_ms\"\n\"2025-05-25\",\"2025-04-26\",\"2025-05-25\",\"inter_region\",\"Washington, DC\",\"Dallas\",\"32.0\"\n");

        var sut = LatencyMatrix.Load(path);

        Assert.Equal(32.0, sut.RttMs("Dallas", "Washington, DC"));
    }

    [Fact]
    public void Latency_BadRtt_NamesLineAndColumn()
    {
        var path = Write("rtt.csv", "snapshot_date,window_start,window_end,kind,src,dst,avg_rtt_ms\n2025-05-25,2025-04-26,2025-05-25,inter_region,Dallas,Tokyo,-\n");

        var ex = Assert.Throws<TraceFormatException>(() => LatencyMatrix.Load(path));

        Assert.Equal($"{path}: line 2: 'avg_rtt_ms' is '-', not a number", ex.Message);
    }

    [Fact]
    public void Latency_UnclosedQuote_NamesLineAndColumn()
    {
        var path = Write("rtt.csv", "snapshot_date,window_start,window_end,kind,src,dst,avg_rtt_ms\n2025-05-25,2025-04-26,2025-05-25,inter_region,\"Dallas,Tokyo,1\n");

        var ex = Assert.Throws<TraceFormatException>(() => LatencyMatrix.Load(path));

        Assert.Equal($"{path}: line 2: column 5: the quote opened at character 47 is not closed", ex.Message);
    }

    // ---- Node inventories ----

    [Fact]
    public void Nodes_Gpu2023_ReadsCoresMemoryGpusAndGroupsThem()
    {
        var sut = NodeInventory.Load(Data("nodes-gpu-sample.csv"));

        Assert.Equal(NodeInventoryFormat.AlibabaGpu2023, sut.Format);
        Assert.Equal(25, sut.Nodes.Count);
        // openb-node-0228,128000,786432,8,G3
        Assert.Equal(new InventoryNode("openb-node-0228", 128, 786432, 8, "G3"), sut.Nodes.Single(n => n.Name == "openb-node-0228"));
        Assert.Equal(new ResourceVector(128_000, 786432, 8, GpuModel: "G3"), sut.Nodes.Single(n => n.Name == "openb-node-0228").Capacity);
        var groups = sut.Groups();
        Assert.Equal(new NodeGroup(9, 96, 393216, 8, "G2", 0), groups[0]); // openb-node-0234 .. 0242
        Assert.Equal(new NodeGroup(5, 32, 262144, 0, "", 0), groups[1]);   // openb-node-0000 .. 0004
        Assert.Equal(new NodeGroup(4, 64, 262144, 2, "P100", 0), groups[2]); // openb-node-0123 .. 0126
        Assert.Equal(sut.Nodes.Count, groups.Sum(g => g.Count));
    }

    [Fact]
    public void Nodes_2017ServerEvents_KeepsAddEventsWithTheMemoryFraction()
    {
        var sut = NodeInventory.Load(Data("nodes-2017-sample.csv"));

        Assert.Equal(NodeInventoryFormat.Alibaba2017ServerEvents, sut.Format);
        Assert.Equal(14, sut.Nodes.Count); // 18 rows, 4 softerror.
        Assert.DoesNotContain(sut.Nodes, n => n.Name == "1075");
        // 0,1141,add,,64,0.5747883933424792,1
        Assert.Equal(new InventoryNode("1141", 64, 0, 0, "", 0.5747883933424792), sut.Nodes.Single(n => n.Name == "1141"));
        var groups = sut.Groups();
        Assert.Equal(new NodeGroup(8, 64, 0, 0, "", 0.6899697150104833), groups[0]); // machines 1 .. 8
        Assert.Equal(new NodeGroup(3, 64, 0, 0, "", 0.6900059534594777), groups[1]); // machines 1148 .. 1150
        Assert.Equal(5, groups.Count);
    }

    [Fact]
    public void Nodes_SpotGpu2026_HasNoMemoryAndGroupsByModel()
    {
        var sut = NodeInventory.Load(Data("nodes-spot-sample.csv"));

        Assert.Equal(NodeInventoryFormat.AlibabaSpotGpu2026, sut.Format);
        Assert.Equal(30, sut.Nodes.Count);
        // GPU-series-1,4,192,0
        Assert.Equal(new InventoryNode("0", 192, 0, 4, "GPU-series-1"), sut.Nodes[0]);
        Assert.Equal(
            [(14, "A10", 1), (8, "GPU-series-1", 1), (5, "A100-SXM4-80GB", 8)],
            sut.Groups().Take(3).Select(g => (g.Count, g.GpuModel, g.Gpus)));
    }

    [Fact]
    public void Nodes_UnknownHeader_IsRefused()
    {
        var path = Write("nodes.csv", "host,cores\na,4\n");

        var ex = Assert.Throws<TraceFormatException>(() => NodeInventory.Load(path));

        Assert.StartsWith($"{path}: line 1: the header (host,cores) is no known node list", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_BadGpuCount_NamesLineAndColumn()
    {
        var path = Write("nodes.csv", "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\nn1,32000,262144,2.5,T4\n");

        var ex = Assert.Throws<TraceFormatException>(() => NodeInventory.Load(path));

        Assert.Equal($"{path}: line 3: 'gpu' is '2.5', not a whole number", ex.Message);
    }

    [Fact]
    public void Nodes_ZeroCores_NamesLineAndColumn()
    {
        var path = Write("nodes.csv", "gpu_model,gpu_capacity_num,cpu_num,node_name\nA10,1,0,7\n");

        var ex = Assert.Throws<TraceFormatException>(() => NodeInventory.Load(path));

        Assert.Equal($"{path}: line 2: 'cpu_num' is '0', expected a number > 0", ex.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
