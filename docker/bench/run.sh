#!/usr/bin/env bash
# Builds Portico in release mode and runs the side-by-side benchmark
# (../shared/bench/run-peers.sh: nginx, HAProxy, Caddy and Portico on one machine,
# the proxy pinned to one core). Extra arguments are passed as environment, e.g.
#   bash docker/bench/run.sh SCENARIOS="direct h1-keepalive" PEERS=nginx
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peers=${PEERS_SCRIPT:-$root/../shared/bench/run-peers.sh}
[ -x "$peers" ] || { echo "run-peers.sh not found at $peers (set PEERS_SCRIPT)" >&2; exit 1; }
(cd "$root" && cargo build --release --locked -p portico)
export PROXY_CMD="exec bash $root/docker/bench/portico-peer.sh"
export PROXY_NAME=${PROXY_NAME:-portico}
export PROXY_HTTPS_PORT=${PROXY_HTTPS_PORT:-18401}
export BENCH_PORTICO_BIN="$root/target/release/portico"
env "$@" bash "$peers"
