#!/usr/bin/env bash
# `run` against a bare librdkafka consumer on the same topic and broker, in one sitting:
# starts tansu, produces a generated hospital once, then alternately (three times each) a
# bare consumer that only reads (`kafka_load drain`, with the service's fetch settings) and
# `rxsentinel run` (all rules, alerts to a file) read the whole topic from the start, each
# in a new group. Each is timed from process start to its last record (`run`: until its
# record counters reach the total, polled every 20 ms); prints the rates and the ratio.
#
#   bash benches/kafka.sh [DOCTORS] [DAYS]        # default 150 120: 2.09 M events
#   RXS=/path/to/rxsentinel bash benches/kafka.sh  # another build of the service (default: this tree's)
set -euo pipefail
cd "$(dirname "$0")/.."
doctors=${1:-150} days=${2:-120}
port=${PORT:-19092} http=${HTTP_PORT:-19464}
out=${RXS_BENCH_DIR:-/tmp/rxs-kafka-bench}
rxs=${RXS:-target/release/rxsentinel}
cargo build --release --workspace --quiet
cargo build --release --example kafka_load --quiet
L=target/release/examples/kafka_load
if [[ ! -s $out/events.ndjson || ! -e $out/.shape-$doctors-$days ]]; then
    rm -rf "$out"
    target/release/rxgen gen --out "$out" --doctors "$doctors" --days "$days" >/dev/null
    touch "$out/.shape-$doctors-$days"
fi
n=$(wc -l <"$out/events.ndjson")
broker=$(bash scripts/tansu.sh start "$port")
trap 'kill $broker 2>/dev/null || true' EXIT
sleep 1
$L create 127.0.0.1:$port events 3 >/dev/null
$L produce 127.0.0.1:$port events "$out/events.ndjson"
echo "topic: $n records, 3 partitions; $(nproc) cores"

now() { date +%s.%N; }
consumed() {
    curl -sf "127.0.0.1:$http/metrics" 2>/dev/null | awk '/^rxsentinel_(events_consumed_total|events_rejected_total|events_duplicate_total|records_skipped_total)/ {s+=$NF} END {print s+0}'
}
declare -a bare=() served=()
for i in 1 2 3; do
    t0=$(now)
    KAFKA_LOAD_OPTS=fetch.wait.max.ms=20,queued.max.messages.kbytes=65536,fetch.queue.backoff.ms=10 $L drain 127.0.0.1:$port events "$n" >/dev/null
    bare+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}')")

    t0=$(now)
    "$rxs" run --brokers 127.0.0.1:$port --group "bench-$i-$$" --topic events --rules rules \
        --catalog "$out/rules/catalog" --alerts "$out/alerts-run-$i.ndjson" --http 127.0.0.1:$http 2>"$out/run.log" &
    pid=$!
    while (($(consumed) < n)); do
        kill -0 $pid 2>/dev/null || { cat "$out/run.log"; exit 1; }
        sleep 0.02
    done
    served+=("$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}')")
    kill -TERM $pid
    wait $pid || true
    echo "round $i: bare consumer ${bare[-1]} s, run ${served[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
b=$(median "${bare[@]}") r=$(median "${served[@]}")
awk -v b="$b" -v r="$r" -v n="$n" 'BEGIN {
    printf "medians: bare consumer %.2f s (%.0f records/s), run %.2f s (%.0f records/s): run at %.2fx the bare consumer\n", b, n / b, r, n / r, b / r
}'
