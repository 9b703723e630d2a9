#!/usr/bin/env bash
# Builds the solution (warnings are errors) and runs every test project: unit, property, storage,
# probe and integration tests (real director and probe processes over loopback).
# Ends with one line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The exec sandbox tests need Debian's bubblewrap; install it when missing (as root, or with sudo).
if ! command -v bwrap >/dev/null 2>&1; then
  echo "installing Debian's bubblewrap (exec sandbox tests)" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -qq bubblewrap >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }) || true
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null) || true
  fi
fi

dotnet build Swarm.slnx -c Debug -nologo -v minimal || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet test --solution Swarm.slnx --no-build -c Debug 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints "total: N / failed: N / succeeded: N / skipped: N" per run; add them up.
read -r passed failed skipped < <(awk '
  /^[[:space:]]*failed: [0-9]+$/    { f += $2 }
  /^[[:space:]]*succeeded: [0-9]+$/ { p += $2 }
  /^[[:space:]]*skipped: [0-9]+$/   { s += $2 }
  END { print p+0, f+0, s+0 }' "$log")
rm -f "$log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$rc"
