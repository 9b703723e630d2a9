#!/usr/bin/env bash
# Compares the engine's behaviour with the recorded trace digests in docs/simulation/trace-digests/:
# each file lists one SHA-256 per run over every event the simulator handed the engine and every command the
# engine returned (swarm simulate --digests). A change meant to keep behaviour (a refactor) must leave them equal.
#   scripts/trace-digests.sh            check DST seeds 1-200, mixed-fleet and scale-1k (about 1 minute)
#   scripts/trace-digests.sh --all      also shared-traces (about 7 more minutes: 11 policies x 10 seeds)
#   scripts/trace-digests.sh --record   rewrite the recorded files (after a deliberate change of behaviour)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
record=false all=false
for a in "$@"; do
  case "$a" in
    --record) record=true ;;
    --all) all=true ;;
    *) echo "usage: $0 [--all] [--record]" >&2; exit 2 ;;
  esac
done

dotnet build src/Swarm.Cli -c Release -nologo -v quiet >/dev/null
swarm=artifacts/bin/Swarm.Cli/release_linux-x64/swarm
recorded=docs/simulation/trace-digests
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$swarm" simulate --dst 200 --digests "$out/dst-1-200.txt" >/dev/null
runs=(mixed-fleet scale-1k)
if $all || $record; then runs+=(shared-traces); fi
for s in "${runs[@]}"; do
  "$swarm" simulate "examples/scenarios/$s.yaml" --no-plots --out "$out/$s" --digests "$out/$s.txt" >/dev/null
done

status=0
for f in "$out"/*.txt; do
  name=$(basename "$f")
  if $record; then
    cp "$f" "$recorded/$name"
    echo "recorded $recorded/$name ($(wc -l <"$f") runs)"
  elif cmp -s "$f" "$recorded/$name"; then
    echo "same     $name ($(wc -l <"$f") runs)"
  else
    echo "CHANGED  $name: $(diff "$recorded/$name" "$f" | grep -c '^>' || true) of $(wc -l <"$f") runs differ"
    diff "$recorded/$name" "$f" | head -10 || true
    status=1
  fi
done
exit $status
