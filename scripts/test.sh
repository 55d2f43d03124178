#!/usr/bin/env bash
# The project's one test command (CI runs it after fmt and clippy): installs what is
# missing — Debian build packages for librdkafka, the tansu broker — then runs every test,
# the Kafka ones included, and leaves no broker running.
set -euo pipefail
cd "$(dirname "$0")/.."

# librdkafka is built from source (mklove: gcc, make) with TLS against Debian's OpenSSL.
missing=()
# openssl (the CLI): the mail tests make a certificate for their local SMTP server;
# prometheus-alertmanager: a real Alertmanager takes the alertmanager receiver's alerts;
# prometheus: promtool checks and unit-tests deploy/prometheus/, and a real Prometheus
# scrapes the service (tests/deploy.rs, tests/prometheus_scrape.rs).
for pkg in gcc make pkg-config libssl-dev zlib1g-dev openssl python3-pip prometheus-alertmanager prometheus; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# systemd-analyze and systemd-sysusers check deploy/systemd/ (systemd need not be running).
if ! command -v systemd-analyze >/dev/null || ! command -v systemd-sysusers >/dev/null; then
    missing+=(systemd)
fi
if ((${#missing[@]})); then
    echo "installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" </dev/null
fi

# aiosmtpd (PyPI): the local SMTP server (STARTTLS, AUTH) of the mail tests.
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    echo "installing aiosmtpd" >&2
    python3 -m pip install --quiet aiosmtpd </dev/null || python3 -m pip install --quiet --break-system-packages aiosmtpd </dev/null
fi

# Every locked package, for every platform: tests/deploy.rs reads `cargo metadata --offline`
# (the newest rust-version among them), which a build alone (host packages only) leaves short.
cargo fetch --locked

TANSU_BIN=$(bash scripts/tansu.sh)
export TANSU_BIN

# Each broker a test starts writes its pid here; whatever a killed test left behind is
# stopped on the way out (by pid, nothing else).
RXSENTINEL_TEST_PIDS=$(mktemp -d)
export RXSENTINEL_TEST_PIDS
cleanup() {
    for f in "$RXSENTINEL_TEST_PIDS"/*; do
        [[ -e "$f" ]] || continue
        kill "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$RXSENTINEL_TEST_PIDS"
}
trap cleanup EXIT

cargo test --workspace --all-targets
