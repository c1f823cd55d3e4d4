#!/usr/bin/env bash
# Reload cost of the release binary, end to end:
#   1. for 10, 1,000 and 10,000 routers: time from a routing-file write (an atomic
#      rename of a file generated beforehand) to the new table serving (Portico's
#      "routing configuration applied" log line), and the validate + compile time
#      Portico reports, median of 5 edits, on an idle proxy;
#   2. throughput of one route under wrk (proxy pinned to CPU 1, wrk and the backend
#      to CPU 0) in steady state, then while the 10,000-router file is rewritten
#      once a second.
# Needs wrk (apt-get install wrk) and a release build (cargo build --release -p portico).
#   bash docker/bench/reload.sh [seconds]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${BENCH_PORTICO_BIN:-$root/target/release/portico}
secs=${1:-15}
tmp=$(mktemp -d /tmp/portico-reload.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
backend_port=$(free_port); proxy_port=$(free_port)
taskset -c 0 "$bin" whoami --address "127.0.0.1:$backend_port" --name bench >/dev/null 2>&1 & pids+=($!)

generate() { # routers version -> $tmp/next.yaml
  local n=$1 v=$2 f="$tmp/next"
  python3 - "$n" "$v" "$backend_port" > "$f.tmp" <<'PY'
import sys
n, v, port = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = ["http:", "  routers:",
       "    bench:", "      rule: Host(`bench.example`) && PathPrefix(`/`)", "      service: s0",
       f"    version-{v}:", f"      rule: Host(`version{v}.example`)", "      service: s0"]
for i in range(n):
    rule = f"Host(`svc{i:05}.example.com`) && PathPrefix(`/api/{i}`)" if i % 2 == 0 else f"Host(`svc{i:05}.example.com`)"
    out += [f"    r{i}:", f"      rule: \"{rule}\"", f"      service: s{i // 10}"]
out += ["  services:"]
for s in range((n + 9) // 10 or 1):
    out += [f"    s{s}:", "      loadBalancer:", "        servers:", f"          - url: http://127.0.0.1:{port}"]
print("\n".join(out))
PY
}
write_routing() { generate "$1" "$2"; mv "$tmp/next.tmp" "$tmp/dynamic/routes.yaml"; }

mkdir -p "$tmp/dynamic"
cat > "$tmp/portico.yaml" <<EOF
entryPoints:
  web:
    address: "127.0.0.1:$proxy_port"
providers:
  providersThrottleDuration: 10ms
  file:
    directory: $tmp/dynamic
log:
  level: INFO
  format: json
EOF
write_routing 10 0
taskset -c 1 "$bin" --configFile="$tmp/portico.yaml" 2>"$tmp/portico.log" & pids+=($!)
for _ in $(seq 50); do grep -q "entrypoint serving" "$tmp/portico.log" 2>/dev/null && break; sleep 0.1; done

applied_count() { grep -c '"routing configuration applied"' "$tmp/portico.log" || true; }
echo "routers  write->serving ms (median of 5)  compile ms (median)"
for n in 10 1000 10000; do
  lat=(); comp=()
  for v in 1 2 3 4 5; do
    generate "$n" "$n$v"
    before=$(applied_count)
    t0=$(date +%s.%N)
    mv "$tmp/next.tmp" "$tmp/dynamic/routes.yaml"
    until [ "$(applied_count)" -gt "$before" ]; do sleep 0.005; done
    # The applied line carries Portico's own compile time.
    line=$(grep '"routing configuration applied"' "$tmp/portico.log" | tail -1)
    ts=$(python3 -c 'import json,sys,datetime; e=json.loads(sys.argv[1]); print(datetime.datetime.fromisoformat(e["timestamp"].replace("Z","+00:00")).timestamp())' "$line")
    cms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["fields"]["compile_ms"])' "$line")
    lat+=("$(python3 -c "print(round(($ts-$t0)*1000,1))")"); comp+=("$cms")
  done
  med() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
  printf '%7s  %30s  %19s\n' "$n" "$(med "${lat[@]}")" "$(printf '%.1f' "$(med "${comp[@]}")")"
done

run_wrk() { taskset -c 0 wrk -t1 -c32 -d"${secs}s" -H 'Host: bench.example' "http://127.0.0.1:$proxy_port/" | awk '/Requests\/sec/ {print $2}'; }
# Two 10,000-router versions, generated before measuring so that the load
# generator's core does no generation work during the run.
generate 10000 even && mv "$tmp/next.tmp" "$tmp/even.yaml"
generate 10000 odd && mv "$tmp/next.tmp" "$tmp/odd.yaml"
steady=$(run_wrk)
( for i in $(seq "$secs"); do
    v=$([ $((i % 2)) = 0 ] && echo even || echo odd)
    cp "$tmp/$v.yaml" "$tmp/swap.yaml" && mv "$tmp/swap.yaml" "$tmp/dynamic/routes.yaml"
    sleep 1
  done ) & pids+=($!)
during=$(run_wrk)
echo "throughput (10,000 routers): steady ${steady} req/s, reloading once a second ${during} req/s ($(python3 -c "print(round(100*$during/$steady,1))") %)"
