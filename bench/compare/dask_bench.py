"""Dask side of bench/compare/dask-vs-swarm.sh: the same workloads as `swarm bench` on a local Dask cluster.

Throughput: N no-op tasks submitted at once (client.map) on W single-threaded worker processes, timed from submit to
the last result. Round trip: one no-op task submitted and its result awaited, repeated sequentially; p50/p99.
Prints one line per measure, "key value", for the shell script to parse.
"""
import argparse
import os
import statistics
import time

import dask
from distributed import Client, LocalCluster


def noop(x):
    return x


def percentile(sorted_values, q):
    # R-7, as Swarm's Percentiles: linear between the closest ranks.
    if not sorted_values:
        return float("nan")
    h = (len(sorted_values) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--tasks", type=int, default=20000)
    p.add_argument("--round-trips", type=int, default=0)
    a = p.parse_args()
    # Worker saturation off: the scheduler sends every ready task to the workers at once, as Swarm's probes take them.
    dask.config.set({"distributed.scheduler.worker-saturation": float("inf"), "distributed.worker.daemon": False})
    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(noop, range(200), pure=False))  # warm-up
        t0 = time.perf_counter()
        futures = client.map(noop, range(a.tasks), pure=False)
        client.gather(futures)
        secs = time.perf_counter() - t0
        del futures
        print(f"throughput {a.tasks / secs:.0f}")
        if a.round_trips > 0:
            latencies = []
            for i in range(-20, a.round_trips):
                t0 = time.perf_counter()
                client.submit(noop, i, pure=False).result()
                if i >= 0:
                    latencies.append((time.perf_counter() - t0) * 1000)
            latencies.sort()
            print(f"rt_p50 {percentile(latencies, 0.5):.2f}")
            print(f"rt_p99 {percentile(latencies, 0.99):.2f}")
        print(f"rss_mib {peak_rss_mib(os.getpid()):.0f}")


if __name__ == "__main__":
    main()
