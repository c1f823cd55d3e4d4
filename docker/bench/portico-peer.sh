#!/usr/bin/env bash
# Portico as the "proxy under test" of ../shared/bench/run-peers.sh (see its header
# for the PROXY_CMD contract): the same route as the peers (Host $BENCH_HOST + path
# prefix $BENCH_PATH_PREFIX, round robin over the two backends), written as Traefik
# configuration from the variables the harness exports, then exec'd in the
# foreground. No access log; errors only.
set -euo pipefail
bin=${BENCH_PORTICO_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/target/release/portico}
d="$BENCH_TMP/portico"
mkdir -p "$d/dynamic"
cat > "$d/portico.yaml" <<EOF
entryPoints:
  web:
    address: "127.0.0.1:$PROXY_HTTP_PORT"
providers:
  file:
    directory: "$d/dynamic"
    watch: false
log:
  level: ERROR
EOF
cat > "$d/dynamic/bench.yaml" <<EOF
http:
  routers:
    bench:
      rule: Host(\`$BENCH_HOST\`) && PathPrefix(\`$BENCH_PATH_PREFIX\`)
      service: backends
  services:
    backends:
      loadBalancer:
        servers:
          - url: http://$BENCH_BACKEND_1
          - url: http://$BENCH_BACKEND_2
EOF
exec "$bin" --configFile="$d/portico.yaml"
