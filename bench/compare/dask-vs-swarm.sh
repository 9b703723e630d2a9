#!/usr/bin/env bash
# Dask and Swarm side by side on this machine, in one run (issue 13): throughput of N no-op tasks with 2 and 8
# workers / probes, a sequential single-task round trip (p50/p99), and the peak RSS of the process that holds the
# scheduler (Dask's LocalCluster with the client; Swarm's embedded director with the client). Prints the ratios.
#   bench/compare/dask-vs-swarm.sh [tasks] [round-trips]      (default 20000 and 1000)
# Installs Debian's python3-distributed (Dask 2022.12) when it is missing. Swarm's tasks are in-probe `echo`
# functions, each asking 1/128 of a core, so a one-core probe runs 128 at once (Dask's workers take every task too:
# worker saturation off). Swarm runs as shipped: TLS, API keys and the audit log on (issue 14); Dask on plain TCP.
set -euo pipefail
cd "$(dirname "$0")/../.."
tasks=${1:-20000}
trips=${2:-1000}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
  echo "installing Debian's python3-distributed" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-distributed >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-distributed >/dev/null; fi
fi

dotnet build src/Swarm.Cli -c Release -nologo -v quiet >/dev/null
swarm=artifacts/bin/Swarm.Cli/release_linux-x64/swarm
py=/usr/bin/python3

value() { awk -v k="$1" '$1 == k { print $2 }'; }
declare -A dask swarm_
for w in 2 8; do
  rt=0; [ "$w" = 2 ] && rt=$trips
  out=$("$py" bench/compare/dask_bench.py --workers "$w" --tasks "$tasks" --round-trips "$rt" 2>/dev/null)
  dask[tp$w]=$(echo "$out" | value throughput)
  dask[rss$w]=$(echo "$out" | value rss_mib)
  if [ "$w" = 2 ]; then dask[p50]=$(echo "$out" | value rt_p50); dask[p99]=$(echo "$out" | value rt_p99); fi

  out=$("$swarm" bench --tasks "$tasks" --probes "$w" --slots 128 --runs 1 --round-trips "$rt" 2>/dev/null)
  swarm_[tp$w]=$(echo "$out" | sed -n 's/^median: \([0-9]*\) tasks\/s.*/\1/p')
  swarm_[rss$w]=$(echo "$out" | sed -n 's/^peak RSS[^:]*: \([0-9]*\) MiB.*/\1/p')
  if [ "$w" = 2 ]; then
    swarm_[p50]=$(echo "$out" | sed -n 's/^round trip.*p50 \([0-9.]*\) ms.*/\1/p')
    swarm_[p99]=$(echo "$out" | sed -n 's/^round trip.*p99 \([0-9.]*\) ms.*/\1/p')
  fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '| measure (%s tasks) | Dask | Swarm | Swarm / Dask |\n| --- | ---: | ---: | ---: |\n' "$tasks"
printf '| throughput, 2 workers / probes (tasks/s) | %s | %s | %s |\n' "${dask[tp2]}" "${swarm_[tp2]}" "$(ratio "${swarm_[tp2]}" "${dask[tp2]}")"
printf '| throughput, 8 workers / probes (tasks/s) | %s | %s | %s |\n' "${dask[tp8]}" "${swarm_[tp8]}" "$(ratio "${swarm_[tp8]}" "${dask[tp8]}")"
printf '| round trip p50, 2 workers / probes (ms) | %s | %s | %s |\n' "${dask[p50]}" "${swarm_[p50]}" "$(ratio "${swarm_[p50]}" "${dask[p50]}")"
printf '| round trip p99, 2 workers / probes (ms) | %s | %s | %s |\n' "${dask[p99]}" "${swarm_[p99]}" "$(ratio "${swarm_[p99]}" "${dask[p99]}")"
printf '| peak RSS of the scheduler process, 8 workers / probes (MiB) | %s | %s | %s |\n' "${dask[rss8]}" "${swarm_[rss8]}" "$(ratio "${swarm_[rss8]}" "${dask[rss8]}")"
