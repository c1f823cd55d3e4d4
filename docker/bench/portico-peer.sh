#!/usr/bin/env bash
# Portico as the "proxy under test" of ../shared/bench/run-peers.sh (see its header
# for the PROXY_CMD contract): the same route as the peers (Host $BENCH_HOST + path
# prefix $BENCH_PATH_PREFIX, round robin over the two backends), written as Traefik
# configuration from the variables the harness exports, then exec'd in the
# foreground. With PROXY_HTTPS_PORT, a `websecure` entrypoint serves the route over
# TLS with $BENCH_CERT/$BENCH_KEY (TLS 1.3, AES-128-GCM, X25519, as the peers are
# configured). With BENCH_PORTICO_CHAIN=1 the route goes through a typical
# middleware chain (headers + stripPrefix + rateLimit that never triggers).
# No access log; errors only.
set -euo pipefail
bin=${BENCH_PORTICO_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/release/portico}
d="$BENCH_TMP/portico"
mkdir -p "$d/dynamic"
websecure=""
if [ -n "${PROXY_HTTPS_PORT:-}" ]; then
  websecure="  websecure:
    address: \"127.0.0.1:$PROXY_HTTPS_PORT\""
fi
cat > "$d/portico.yaml" <<EOF
entryPoints:
  web:
    address: "127.0.0.1:$PROXY_HTTP_PORT"
$websecure
providers:
  file:
    directory: "$d/dynamic"
    watch: false
log:
  level: ERROR
EOF
middlewares=""
chain_defs=""
if [ "${BENCH_PORTICO_CHAIN:-0}" = 1 ]; then
  middlewares="      middlewares: [chain]"
  chain_defs="  middlewares:
    chain:
      chain:
        middlewares: [headers, strip, limit]
    headers:
      headers:
        customRequestHeaders:
          X-Bench: portico
        customResponseHeaders:
          X-Served-By: portico
    strip:
      stripPrefix:
        prefixes: [/nothing-to-strip]
    limit:
      rateLimit:
        average: 10000000
        burst: 10000000"
fi
cat > "$d/dynamic/bench.yaml" <<EOF
http:
  routers:
    bench:
      rule: Host(\`$BENCH_HOST\`) && PathPrefix(\`$BENCH_PATH_PREFIX\`)
      entryPoints: [web]
      service: backends
$middlewares
    bench-tls:
      rule: Host(\`$BENCH_HOST\`) && PathPrefix(\`$BENCH_PATH_PREFIX\`)
      entryPoints: [websecure]
      service: backends
      tls: {}
$middlewares
$chain_defs
  services:
    backends:
      loadBalancer:
        servers:
          - url: http://$BENCH_BACKEND_1
          - url: http://$BENCH_BACKEND_2
tls:
  certificates:
    - certFile: $BENCH_CERT
      keyFile: $BENCH_KEY
  options:
    default:
      minVersion: VersionTLS13
      cipherSuites: [TLS_AES_128_GCM_SHA256]
      curvePreferences: [X25519]
EOF
exec "$bin" --configFile="$d/portico.yaml"
