#!/usr/bin/env bash
# HTTPS benchmarks beside ../shared/bench/run-peers.sh: the new-connection rows it
# does not have, and every HTTPS row again with the proxy, not the client, as the
# limit. It reuses the configurations a run-peers.sh run left behind with KEEP_TMP=1
# (same certificate, same routes, same backend) and measures each proxy alone,
# pinned like run-peers.sh does: proxy on CPU $PROXY_CPU, the clients and the
# backend on CPU $LOAD_CPU.
#
#   KEEP_TMP=1 bash docker/bench/run.sh          # leaves /tmp/bench-peers.XXXXXX
#   bash docker/bench/tls-handshake.sh /tmp/bench-peers.XXXXXX
#
# Clients ($CLIENTS):
#   wrk       `wrk -H 'Connection: close'`, $CONNS connections, a new TCP connection
#             per request. wrk offers the previous connection's session ticket, so
#             each handshake is a TLS 1.3 resumption (PSK with a fresh X25519
#             exchange, no certificate, no signature).
#   s_time    $S_TIME_PROCS parallel `openssl s_time -new` loops: a full TLS 1.3
#             handshake per request (certificate, ECDSA signature, X25519), as a
#             client that keeps no sessions does. The request is the same GET with
#             Host and Connection: close; rate = connections completed / elapsed.
#   keepalive wrk, HTTPS keep-alive, $CONNS connections (run-peers.sh's
#             https-keepalive).
#   h2        h2load, HTTP/2 over TLS, $H2_CONNS connections x $H2_STREAMS streams
#             (run-peers.sh's h2-tls).
#
# Two modes ($MODES):
#   core    the proxy has its whole core. On these 2-vCPU machines the client core is
#           the bottleneck of the new-connection rows and of HTTPS keep-alive (the
#           client's TLS plus the backend saturate it for every proxy), so this row
#           also shows how much client-core time each proxy's behaviour costs.
#   capped  the proxy's cgroup gets $QUOTA % of its core per $PERIOD_US µs (CFS
#           bandwidth), so the proxy, not the client, is the bottleneck: this row is
#           the proxy's capacity per unit of CPU, as under a container CPU limit. The
#           default period is 100 ms, Docker's and Kubernetes' default. With a
#           shorter one (PERIOD_US=10000) the proxy is stopped and restarted ten
#           times as often, and every proxy's CPU per request goes up, Portico's
#           more than nginx's (docs/performance.md). Needs a writable cpu cgroup.
#
# Prints, per client, mode and proxy, the median req/s over $REPEATS runs of
# $DURATION s, the proxy's CPU per request (utime + stime of every process in its
# cgroup, over all runs) and the ratio to nginx. Every process started here is
# stopped by PID.
set -euo pipefail
work=${1:?usage: tls-handshake.sh <run-peers work dir kept with KEEP_TMP=1>}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=${DURATION:-8} REPEATS=${REPEATS:-3} CONNS=${CONNS:-64}
PROXY_CPU=${PROXY_CPU:-1} LOAD_CPU=${LOAD_CPU:-0}
PEERS=${PEERS:-"nginx haproxy caddy portico"}
MODES=${MODES:-"core capped"} QUOTA=${QUOTA:-15} PERIOD_US=${PERIOD_US:-100000}
CLIENTS=${CLIENTS:-"wrk s_time keepalive h2"} S_TIME_PROCS=${S_TIME_PROCS:-16}
H2_CONNS=${H2_CONNS:-16} H2_STREAMS=${H2_STREAMS:-4}
bin=${BENCH_PORTICO_BIN:-$root/target/release/portico}
declare -A port=([nginx]=18101 [haproxy]=18201 [caddy]=18301 [portico]=18401)
pids=() cgroups=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for c in "${cgroups[@]}"; do rmdir "$c" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# --- cpu cgroups: one per proxy run, so its CPU can be counted and capped ---------
cg_kind=none
if [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && [ -w /sys/fs/cgroup/cpu ]; then
  cg_kind=v1 cg_root=/sys/fs/cgroup/cpu
elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null \
     && echo +cpu >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
  cg_kind=v2 cg_root=/sys/fs/cgroup
fi
cg_make() {   # name quota-percent|max -> path in $cg
  cg="$cg_root/portico-bench-$$-$1"
  mkdir -p "$cg"; cgroups+=("$cg")
  local quota=-1; [ "$2" = max ] || quota=$(( $2 * PERIOD_US / 100 ))
  if [ $cg_kind = v1 ]; then
    echo "$PERIOD_US" >"$cg/cpu.cfs_period_us"; echo "$quota" >"$cg/cpu.cfs_quota_us"
  else
    [ "$quota" = -1 ] && quota=max
    echo "$quota $PERIOD_US" >"$cg/cpu.max"
  fi
}
cg_ticks() {   # cgroup -> utime + stime (clock ticks) of every process in it
  local total=0 pid
  for pid in $(cat "$1/cgroup.procs"); do
    total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

wait_port() {   # port -> waits up to 10 s for a listener
  for _ in $(seq 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.1; done
  echo "nothing listens on $1" >&2; return 1
}
start() {   # cpu cgroup|"" log cmd... -> pid in $last
  if [ -n "$2" ]; then
    taskset -c "$1" sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$2" "${@:4}" \
      >"$work/logs/handshake-$3.out" 2>&1 </dev/null &
  else
    taskset -c "$1" "${@:4}" >"$work/logs/handshake-$3.out" 2>&1 </dev/null &
  fi
  last=$!; pids+=("$last")
}

mkdir -p "$work/logs"
start "$LOAD_CPU" "" backend nginx -p "$work/nginx-backend" -c "$work/nginx-backend/backend.conf" \
  -e "$work/logs/hs-backend.log"
wait_port 18080; wait_port 18081
ticks_per_s=$(getconf CLK_TCK)

# One run of $DURATION s of client $1 against $2 (https URL); sets run_rate and
# run_requests, reports client-side errors on stderr.
load() {
  local client=$1 url=$2 out
  case $client in
    wrk|keepalive)
      local close=()
      [ "$client" = wrk ] && close=(-H 'Connection: close')
      out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s \
              -H 'Host: app.example.com' "${close[@]}" "$url")
      run_rate=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
      run_requests=$(awk '/requests in/ {print $1}' <<<"$out")
      if grep -qE 'Socket errors|Non-2xx' <<<"$out"; then
        echo "  wrk: $(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr '\n' ' ')" >&2
      fi ;;
    h2)
      out=$(taskset -c "$LOAD_CPU" h2load -t1 -c"$H2_CONNS" -m"$H2_STREAMS" -D "$DURATION" \
              -H ':authority: app.example.com' "$url")
      run_rate=$(awk '/^finished in/ {print $4}' <<<"$out")
      run_requests=$(awk '/^requests:/ {print $8}' <<<"$out")
      if ! grep -qE '^requests:.* 0 failed, 0 errored' <<<"$out" \
         || ! grep -qE '^status codes: [0-9]+ 2xx, 0 3xx, 0 4xx, 0 5xx' <<<"$out"; then
        echo "  h2load: $(grep -E '^(requests|status codes):' <<<"$out" | tr '\n' ' ')" >&2
      fi ;;
    s_time)
      # s_time sends "GET <www> HTTP/1.0" + CRLF CRLF: the path argument carries the
      # rest of an HTTP/1.1 head, the trailing " HTTP/1.0" becomes a header value.
      local head=$'/api/ HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\nX-Bench:'
      local hostport=${url#https://} i loops=()
      hostport=${hostport%%/*}
      # s_time stops at a whole-second boundary (8 to 9 s for -time 8) and prints
      # whole seconds, so each loop is timed here: rate = sum of connections / own
      # elapsed time over the loops, which run side by side.
      for i in $(seq "$S_TIME_PROCS"); do
        ( start=$(date +%s%N)
          taskset -c "$LOAD_CPU" openssl s_time -connect "$hostport" -new -time "$DURATION" -www "$head" \
            >"$work/logs/s_time.$i" 2>&1 </dev/null
          echo "elapsed_ns $(( $(date +%s%N) - start ))" >>"$work/logs/s_time.$i" ) &
        loops+=("$!")
      done
      wait "${loops[@]}"
      run_requests=$(cat "$work"/logs/s_time.* | awk '/connections in .* real seconds/ {n += $1} END {print n + 0}')
      run_rate=$(for i in $(seq "$S_TIME_PROCS"); do
                   awk '/connections in .* real seconds/ {n = $1} /^elapsed_ns/ {t = $2}
                        END {print n / (t / 1e9)}' "$work/logs/s_time.$i"
                 done | awk '{r += $1} END {printf "%.2f", r}') ;;
  esac
}
sanity() {   # client url -> fails unless the request the client sends gets a 200
  case $1 in
    wrk|keepalive) curl -sfk -H 'Host: app.example.com' "$2" >/dev/null ;;
    h2) curl -sfk --http2 -o /dev/null -w '%{http_version}' -H 'Host: app.example.com' "$2" | grep -qx 2 ;;
    s_time)
      local hostport=${2#https://}
      printf 'GET /api/ HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\nX-Bench: HTTP/1.0\r\n\r\n' \
        | openssl s_client -quiet -connect "${hostport%%/*}" 2>/dev/null | head -1 | grep -q ' 200 ' ;;
  esac
}

declare -A rate cpu
for client in $CLIENTS; do
for mode in $MODES; do
  if [ $cg_kind = none ]; then
    [ "$mode" = capped ] && { echo "capped: skipped, no writable cpu cgroup" >&2; continue; }
  fi
  for peer in $PEERS; do
    key=$client.$mode.$peer cg=""
    if [ $cg_kind != none ]; then
      if [ "$mode" = capped ]; then cg_make "$client-$peer-$mode" "$QUOTA"; else cg_make "$client-$peer-$mode" max; fi
    fi
    case $peer in
      nginx) start "$PROXY_CPU" "$cg" "$client-$peer-$mode" nginx -p "$work/nginx" -c "$work/nginx/proxy.conf" \
               -e "$work/logs/hs-nginx.log" ;;
      haproxy) start "$PROXY_CPU" "$cg" "$client-$peer-$mode" haproxy -db -f "$work/haproxy/haproxy.cfg" ;;
      caddy) start "$PROXY_CPU" "$cg" "$client-$peer-$mode" env GOMAXPROCS=1 HOME="$work/caddy/home" \
               XDG_DATA_HOME="$work/caddy/home/data" XDG_CONFIG_HOME="$work/caddy/home/config" \
               caddy run --config "$work/caddy/Caddyfile" --adapter caddyfile ;;
      portico) start "$PROXY_CPU" "$cg" "$client-$peer-$mode" env BENCH_HOST=app.example.com BENCH_PATH_PREFIX=/api \
                 BENCH_BACKEND_1=127.0.0.1:18080 BENCH_BACKEND_2=127.0.0.1:18081 \
                 BENCH_CERT="$work/cert.pem" BENCH_KEY="$work/key.pem" BENCH_TMP="$work" \
                 PROXY_HTTP_PORT=18400 PROXY_HTTPS_PORT=18401 BENCH_PORTICO_BIN="$bin" \
                 bash "$root/docker/bench/portico-peer.sh" ;;
    esac
    proxy_pid=$last
    wait_port "${port[$peer]}"
    url="https://127.0.0.1:${port[$peer]}/api/"
    sanity "$client" "$url" || { echo "$peer: sanity request ($client) failed" >&2; exit 1; }
    rates=() requests=0
    [ -n "$cg" ] && ticks0=$(cg_ticks "$cg")
    for _ in $(seq "$REPEATS"); do
      load "$client" "$url"
      rates+=("$run_rate"); requests=$(( requests + run_requests ))
    done
    cpu[$key]=-
    if [ -n "$cg" ]; then
      cpu[$key]=$(awk -v t="$(( $(cg_ticks "$cg") - ticks0 ))" -v r="$requests" -v hz="$ticks_per_s" \
                     'BEGIN {printf "%.1f", t / hz * 1e6 / r}')
    fi
    rate[$key]=$(printf '%s\n' "${rates[@]}" | sort -n | sed -n "$(( (REPEATS + 1) / 2 ))p")
    echo "$peer ($client, $mode): runs ${rates[*]} req/s, ${cpu[$key]} us of proxy CPU per request"
    kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true
    for _ in $(seq 100); do ss -Hltn "sport = :${port[$peer]}" | grep -q . || break; sleep 0.1; done
  done
done
done

for client in $CLIENTS; do
for mode in $MODES; do
  [ -n "${rate[$client.$mode.nginx]:-}${rate[$client.$mode.portico]:-}" ] || continue
  case $client in
    wrk) what="https-close, resumed TLS 1.3 session (wrk, $CONNS connections)" ;;
    s_time) what="https-close, full TLS 1.3 handshake (openssl s_time -new, $S_TIME_PROCS loops)" ;;
    keepalive) what="https-keepalive (wrk, $CONNS connections)" ;;
    h2) what="h2-tls (h2load, $H2_CONNS connections x $H2_STREAMS streams)" ;;
  esac
  case $mode in
    core) echo "$what, proxy on a whole core (client-bound), median of $REPEATS x ${DURATION}s:" ;;
    capped) echo "$what, proxy capped at $QUOTA % of its core per $(( PERIOD_US / 1000 )) ms (proxy-bound), median of $REPEATS x ${DURATION}s:" ;;
  esac
  for peer in $PEERS; do
    key=$client.$mode.$peer
    [ -n "${rate[$key]:-}" ] || continue
    ratio=""
    [ -n "${rate[$client.$mode.nginx]:-}" ] && ratio=$(awk -v a="${rate[$key]}" -v b="${rate[$client.$mode.nginx]}" \
                                                     'BEGIN {printf "%.2fx nginx", a / b}')
    printf '  %-8s %10s req/s  %-12s %6s us proxy CPU/req\n' "$peer" "${rate[$key]}" "$ratio" "${cpu[$key]}"
  done
done
done
