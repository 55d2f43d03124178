#!/usr/bin/env bash
# The tansu Kafka-protocol broker for the Kafka tests and the Kafka benchmark.
#
#   scripts/tansu.sh              install tansu if missing; print the binary's path
#   scripts/tansu.sh start PORT   start a broker (in-memory storage) on 127.0.0.1:PORT in the
#                                 background; print its pid (stop it with `kill PID`)
#
# Installed with cargo (about 12 minutes on 2 cores, once per machine). Found, in order, as
# $TANSU_BIN, on PATH, in ~/.cargo/bin — the same order the tests use.
set -euo pipefail

version=0.6.0

find_tansu() {
    if [[ -n "${TANSU_BIN:-}" && -x "${TANSU_BIN}" ]]; then
        echo "$TANSU_BIN"
    elif command -v tansu >/dev/null 2>&1; then
        command -v tansu
    elif [[ -x "$HOME/.cargo/bin/tansu" ]]; then
        echo "$HOME/.cargo/bin/tansu"
    else
        return 1
    fi
}

if ! bin=$(find_tansu); then
    echo "tansu not found: cargo install tansu --version $version --features dynostore" >&2
    # dynostore brings the memory:// storage engine the tests use.
    cargo install tansu --version "$version" --features dynostore >&2
    bin="$HOME/.cargo/bin/tansu"
fi

case "${1:-}" in
    "")
        echo "$bin"
        ;;
    start)
        port="${2:?usage: scripts/tansu.sh start PORT}"
        url="tcp://127.0.0.1:$port"
        "$bin" broker --storage-engine memory://tansu/ --listener-url "$url" --advertised-listener-url "$url" \
            >"${TMPDIR:-/tmp}/tansu-$port.log" 2>&1 &
        echo $!
        ;;
    *)
        echo "usage: scripts/tansu.sh [start PORT]" >&2
        exit 2
        ;;
esac
