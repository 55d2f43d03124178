#!/usr/bin/env bash
# Whole-process benchmark of `replay` against the yardstick of a one-core typed parse
# (examples/parse_only.rs: serde_json) on the same file, in one sitting: generates the
# hospital, then runs parse-only, replay's own decoder alone (parse_only --fast) and replay
# (all cores, and --threads 1) alternately three times each, and prints each run, the
# medians, the ratios, events/s and peak RSS.
#
#   bash benches/replay.sh [DOCTORS] [DAYS] [SEED]      # default 200 200 5: 4.66 M events
set -euo pipefail
cd "$(dirname "$0")/.."
doctors=${1:-200} days=${2:-200} seed=${3:-5}
out=${RXS_BENCH_DIR:-/tmp/rxs-bench}
cargo build --release --workspace --quiet
cargo build --release --example parse_only --quiet
if [[ ! -s $out/events.ndjson || ! -e $out/.shape-$doctors-$days-$seed ]]; then
    rm -rf "$out"
    target/release/rxgen gen --out "$out" --doctors "$doctors" --days "$days" --seed "$seed" >/dev/null
    touch "$out/.shape-$doctors-$days-$seed"
fi
file=$out/events.ndjson
cat "$file" >/dev/null # into the page cache
events=$(wc -l <"$file")
echo "file: $file ($events lines, $(du -h "$file" | cut -f1)); $(nproc) cores"

# One run: wall seconds and peak RSS (KB) of a command, from GNU time.
measure() {
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/log" || { cat "$out/log"; exit 1; }
    cat "$out/time"
}
declare -a parse=() fast=() all=() one=()
for i in 1 2 3; do
    read -r s _ < <(measure target/release/examples/parse_only "$file"); parse+=("$s")
    read -r s _ < <(measure target/release/examples/parse_only "$file" --fast); fast+=("$s")
    read -r s rss < <(measure target/release/rxsentinel replay --input "$file" --catalog "$out/rules/catalog" \
        --alerts "$out/alerts-all.ndjson" --no-progress); all+=("$s"); rss_all=$rss
    read -r s rss < <(measure target/release/rxsentinel replay --input "$file" --catalog "$out/rules/catalog" \
        --alerts "$out/alerts-one.ndjson" --no-progress --threads 1); one+=("$s"); rss_one=$rss
    echo "round $i: parse-only ${parse[-1]} s, replay's decoder ${fast[-1]} s, replay ${all[-1]} s, replay --threads 1 ${one[-1]} s"
done
cmp -s "$out/alerts-all.ndjson" "$out/alerts-one.ndjson" || { echo "the alerts differ between thread counts"; exit 1; }
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
p=$(median "${parse[@]}") f=$(median "${fast[@]}") a=$(median "${all[@]}") o=$(median "${one[@]}")
awk -v p="$p" -v f="$f" -v a="$a" -v o="$o" -v n="$events" -v ra="$rss_all" -v ro="$rss_one" 'BEGIN {
    printf "medians: parse-only %.2f s (%.0f events/s)\n", p, n / p
    printf "replay decoder alone, one core: %.2f s (%.0f events/s, %.2fx parse-only)\n", f, n / f, p / f
    printf "replay, all cores:  %.2f s, %.0f events/s, %.2fx parse-only, peak RSS %.0f MB\n", a, n / a, p / a, ra / 1024
    printf "replay, --threads 1: %.2f s, %.0f events/s, %.2fx parse-only, peak RSS %.0f MB\n", o, n / o, p / o, ro / 1024
}'
echo "alerts: $(wc -l <"$out/alerts-all.ndjson"), the same at both thread counts"
