#!/usr/bin/env bash
# Deterministic comparison of rxsentinel binaries where wall time is too noisy to show a few
# per cent (a shared 2-core VM swings ±10 % within minutes): each binary replays the first
# LINES events of the benchmark hospital on one core under cachegrind, with its last level
# set to one core's L2 (1 MiB), and the instructions, L1 and L2-sized data misses are printed.
# Decoding is in every run alike, so differences are the scoring loop's.
#
#   bash benches/cachegrind.sh BIN [BIN ...]       # e.g. a copy of the last release build and the new one
#   LINES=1200000 FILE=/tmp/rxs-bench/events.ndjson CATALOG=/tmp/rxs-bench/rules/catalog (defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (Debian: apt-get install valgrind)"; exit 1; }
file=${FILE:-/tmp/rxs-bench/events.ndjson} catalog=${CATALOG:-/tmp/rxs-bench/rules/catalog} lines=${LINES:-1200000}
[[ -s $file ]] || { echo "no $file: run benches/replay.sh first (it generates the hospital)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -n "$lines" "$file" >"$work/events.ndjson"
i=0
for bin in "$@"; do
    i=$((i + 1))
    valgrind --tool=cachegrind --cache-sim=yes --LL=1048576,16,64 --cachegrind-out-file="$work/cg.$i" \
        "$bin" replay --input "$work/events.ndjson" --catalog "$catalog" --alerts "$work/alerts.$i" \
        --no-progress --threads 1 >/dev/null 2>"$work/log.$i"
    awk -v b="$bin" '/I *refs:/ {ir=$4} /D1 *misses:/ {d1=$4} /LLd misses:/ {ll=$4}
        END {printf "%s: instructions %s, D1 misses %s, L2-sized (1 MiB) misses %s\n", b, ir, d1, ll}' "$work/log.$i"
    [[ $i -eq 1 ]] || cmp -s "$work/alerts.1" "$work/alerts.$i" || echo "  (its alerts differ from the first binary's)"
done
