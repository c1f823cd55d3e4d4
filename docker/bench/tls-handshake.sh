#!/usr/bin/env bash
# New-connection HTTPS benchmark (a full TLS handshake per request), the scenario
# ../shared/bench/run-peers.sh does not have. It reuses the configurations a
# run-peers.sh run left behind with KEEP_TMP=1 (same certificate, same routes, same
# backend) and measures each proxy alone, pinned like run-peers.sh does: proxy on
# CPU $PROXY_CPU, wrk and the backend on CPU $LOAD_CPU.
#
#   KEEP_TMP=1 bash docker/bench/run.sh          # leaves /tmp/bench-peers.XXXXXX
#   bash docker/bench/tls-handshake.sh /tmp/bench-peers.XXXXXX
#
# Prints one line per proxy: median req/s over $REPEATS runs of $DURATION s of
# `wrk -H 'Connection: close'` against https://127.0.0.1:<port>/api/ (wrk resumes no
# sessions: every request is a new TCP connection and a full TLS 1.3 handshake),
# and the ratio to nginx. Every process started here is stopped by PID.
set -euo pipefail
work=${1:?usage: tls-handshake.sh <run-peers work dir kept with KEEP_TMP=1>}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=${DURATION:-8} REPEATS=${REPEATS:-3} CONNS=${CONNS:-64}
PROXY_CPU=${PROXY_CPU:-1} LOAD_CPU=${LOAD_CPU:-0}
PEERS=${PEERS:-"nginx haproxy caddy portico"}
bin=${BENCH_PORTICO_BIN:-$root/target/release/portico}
declare -A port=([nginx]=18101 [haproxy]=18201 [caddy]=18301 [portico]=18401)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_port() {   # port -> waits up to 10 s for a listener
  for _ in $(seq 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $1" >&2; return 1
}
start() {   # cpu cmd... -> pid in $last
  taskset -c "$1" "${@:2}" >"$work/logs/handshake-$(basename "$2").out" 2>&1 </dev/null &
  last=$!; pids+=("$last")
}

mkdir -p "$work/logs"
start "$LOAD_CPU" nginx -p "$work/nginx-backend" -c "$work/nginx-backend/backend.conf" -e "$work/logs/hs-backend.log"
wait_port 18080; wait_port 18081

declare -A result
for peer in $PEERS; do
  case $peer in
    nginx) start "$PROXY_CPU" nginx -p "$work/nginx" -c "$work/nginx/proxy.conf" -e "$work/logs/hs-nginx.log" ;;
    haproxy) start "$PROXY_CPU" haproxy -db -f "$work/haproxy/haproxy.cfg" ;;
    caddy) start "$PROXY_CPU" env GOMAXPROCS=1 HOME="$work/caddy/home" XDG_DATA_HOME="$work/caddy/home/data" \
             XDG_CONFIG_HOME="$work/caddy/home/config" caddy run --config "$work/caddy/Caddyfile" --adapter caddyfile ;;
    portico) start "$PROXY_CPU" env BENCH_HOST=app.example.com BENCH_PATH_PREFIX=/api \
               BENCH_BACKEND_1=127.0.0.1:18080 BENCH_BACKEND_2=127.0.0.1:18081 \
               BENCH_CERT="$work/cert.pem" BENCH_KEY="$work/key.pem" BENCH_TMP="$work" \
               PROXY_HTTP_PORT=18400 PROXY_HTTPS_PORT=18401 BENCH_PORTICO_BIN="$bin" \
               bash "$root/docker/bench/portico-peer.sh" ;;
  esac
  proxy_pid=$last
  wait_port "${port[$peer]}"
  url="https://127.0.0.1:${port[$peer]}/api/"
  curl -sfk -H 'Host: app.example.com' "$url" >/dev/null || { echo "$peer: sanity request failed" >&2; exit 1; }
  rates=()
  for _ in $(seq "$REPEATS"); do
    out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s \
            -H 'Host: app.example.com' -H 'Connection: close' "$url")
    rates+=("$(awk '/^Requests\/sec/ {print $2}' <<<"$out")")
  done
  result[$peer]=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(( (REPEATS + 1) / 2 ))p")
  echo "$peer: runs ${rates[*]} req/s"
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
  for _ in $(seq 100); do ss -Hltn "sport = :${port[$peer]}" | grep -q . || break; sleep 0.1; done
done

echo "https-close (full handshake per request), median of $REPEATS x ${DURATION}s, $CONNS connections:"
for peer in $PEERS; do
  ratio=""
  [ -n "${result[nginx]:-}" ] && ratio=$(awk -v a="${result[$peer]}" -v b="${result[nginx]}" 'BEGIN {printf "%.2fx nginx", a / b}')
  printf '  %-8s %10s req/s  %s\n' "$peer" "${result[$peer]}" "$ratio"
done
