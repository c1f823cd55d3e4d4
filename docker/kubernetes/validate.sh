#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests in this directory; no cluster is needed.
#
#   docker/kubernetes/validate.sh            # from anywhere
#   KUBECTL=/path/to/kubectl PYTHON=python3 WITH_PORTICO=target/release/portico validate.sh
#
# 1. kubectl parses every file. `kubectl apply --dry-run=client` and
#    `kubectl create --dry-run=client` both need the API server (for discovery, and `apply` also
#    reads the live object), so they fail without a cluster. `kubectl annotate --local` runs the
#    same manifest decoding (multi-document YAML, apiVersion/kind required) without contacting
#    anything, so it is used instead. KUBECONFIG points at a generated kubeconfig for
#    https://127.0.0.1:1, so a real cluster in the caller's environment is never touched.
# 2. Python checks the documents (PyYAML if installed, otherwise the JSON kubectl printed):
#    apiVersion/kind/metadata.name everywhere; CRD names are `<plural>.<group>` and both CRD files
#    define the same ten kinds with identical schemas; RBAC grants what the providers read; the
#    Deployment, ConfigMap, Service and static configuration agree; every custom kind in
#    example-app.yaml has a CRD in crds/, validates against its schema (if `jsonschema` is
#    installed) and references objects that exist.
# 3. If WITH_PORTICO is set (a path to the portico binary), `portico validate` checks the static
#    configuration in the ConfigMap. (Not PORTICO_*: Portico reads PORTICO_* variables as
#    configuration, as Traefik reads TRAEFIK_*.)
#
# Exits 0 when everything passes, 1 on a failed check, 2 when a tool is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

files=(
  crds/traefik.io.yaml
  crds/traefik.containo.us.yaml
  rbac.yaml
  portico.yaml
  example-app.yaml
)

kubectl_bin="${KUBECTL:-kubectl}"
python_bin="${PYTHON:-python3}"

if ! command -v "$kubectl_bin" >/dev/null 2>&1; then
  echo "validate.sh: kubectl not found ('$kubectl_bin'). Install it (Debian/Ubuntu package" \
    "'kubernetes-client', or https://kubernetes.io/docs/tasks/tools/) or set KUBECTL=/path/to/kubectl." >&2
  exit 2
fi
if ! command -v "$python_bin" >/dev/null 2>&1; then
  echo "validate.sh: python3 not found ('$python_bin'); set PYTHON=/path/to/python3." >&2
  exit 2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/kubeconfig" <<'EOF'
apiVersion: v1
kind: Config
clusters:
  - name: offline
    cluster:
      server: https://127.0.0.1:1
      insecure-skip-tls-verify: true
users:
  - name: offline
    user:
      token: offline
contexts:
  - name: offline
    context:
      cluster: offline
      user: offline
      namespace: default
current-context: offline
EOF
export KUBECONFIG="$tmp/kubeconfig"

status=0

echo "== kubectl $("$kubectl_bin" version --client 2>/dev/null | head -n 1 | sed 's/^Client Version: //'): parsing manifests offline"
for i in "${!files[@]}"; do
  f="${files[$i]}"
  if [[ ! -f "$f" ]]; then
    echo "FAIL $f: missing" >&2
    status=1
    continue
  fi
  if "$kubectl_bin" annotate --local --dry-run=client -f "$f" portico.dev/validated=offline \
    -o json >"$tmp/$i.json" 2>"$tmp/$i.err"; then
    # kubectl prints one JSON object per document, back to back, each opening with a bare "{".
    count="$(grep -c '^{$' "$tmp/$i.json" || true)"
    echo "ok   $f: $count objects"
  else
    echo "FAIL $f:" >&2
    sed 's/^/     /' "$tmp/$i.err" >&2
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  echo "validate.sh: kubectl could not parse the manifests" >&2
  exit 1
fi

json_args=()
for i in "${!files[@]}"; do
  json_args+=("${files[$i]}=$tmp/$i.json")
done

echo "== python checks"
"$python_bin" - "$tmp/portico-static.yaml" "${json_args[@]}" <<'PY' || status=1
import json
import re
import sys

static_out = sys.argv[1]
pairs = [a.split("=", 1) for a in sys.argv[2:]]

try:
    import yaml  # PyYAML
except ImportError:
    yaml = None
try:
    import jsonschema
except ImportError:
    jsonschema = None

failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL {msg}")


def ok_since(start, msg):
    """Report `msg` as passed if no check failed since `failures` had `start` entries."""
    if len(failures) == start:
        print(f"ok   {msg}")


def load(path, json_path):
    """The documents of one file: PyYAML if present, else kubectl's JSON."""
    if yaml is not None:
        with open(path, encoding="utf-8") as f:
            return [d for d in yaml.safe_load_all(f) if d is not None]
    with open(json_path, encoding="utf-8") as f:
        text = f.read()
    items, pos, dec = [], 0, json.JSONDecoder()
    while True:  # kubectl prints one JSON object per document, back to back
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos == len(text):
            break
        obj, pos = dec.raw_decode(text, pos)
        items.extend(obj["items"] if obj.get("kind") == "List" else [obj])
    for item in items:  # drop the annotation kubectl added
        ann = item.get("metadata", {}).get("annotations", {})
        ann.pop("portico.dev/validated", None)
        if not ann:
            item["metadata"].pop("annotations", None)
    return items


print("parser:", "PyYAML " + yaml.__version__ if yaml else "kubectl JSON (PyYAML not installed)")
docs = {}
for path, json_path in pairs:
    docs[path] = load(path, json_path)

# --- every document -------------------------------------------------------------------------
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
for path, ds in docs.items():
    seen = set()
    for n, d in enumerate(ds):
        where = f"{path} document {n + 1}"
        if not isinstance(d, dict):
            fail(f"{where}: not a mapping")
            continue
        for key in ("apiVersion", "kind"):
            if not isinstance(d.get(key), str) or not d[key]:
                fail(f"{where}: missing {key}")
        name = (d.get("metadata") or {}).get("name")
        if not isinstance(name, str) or not name:
            fail(f"{where}: missing metadata.name")
            continue
        if len(name) > 253 or not DNS1123.match(name):
            fail(f"{where}: metadata.name {name!r} is not a DNS-1123 subdomain")
        ident = (d.get("apiVersion"), d.get("kind"), d["metadata"].get("namespace"), name)
        if ident in seen:
            fail(f"{where}: duplicate {ident}")
        seen.add(ident)
        # Client-side `kubectl apply` stores the object in an annotation limited to 256 KiB.
        size = len(json.dumps(d, separators=(",", ":")))
        if size > 262144:
            fail(f"{where}: {d['kind']}/{name} is {size} bytes as JSON, over kubectl apply's 262144")

# --- CRDs -----------------------------------------------------------------------------------
KINDS = {
    "IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Middleware", "MiddlewareTCP",
    "ServersTransport", "ServersTransportTCP", "TLSOption", "TLSStore", "TraefikService",
}
crds = {}  # (group, kind) -> CRD
for path, group in (("crds/traefik.io.yaml", "traefik.io"),
                    ("crds/traefik.containo.us.yaml", "traefik.containo.us")):
    start = len(failures)
    kinds = set()
    for d in docs.get(path, []):
        name = d["metadata"]["name"]
        if d.get("apiVersion") != "apiextensions.k8s.io/v1" or d.get("kind") != "CustomResourceDefinition":
            fail(f"{path}: {name} is {d.get('apiVersion')} {d.get('kind')}, not a v1 CRD")
            continue
        spec = d.get("spec", {})
        names = spec.get("names", {})
        plural, kind = names.get("plural"), names.get("kind")
        if spec.get("group") != group:
            fail(f"{path}: {name} has group {spec.get('group')!r}, expected {group!r}")
        if name != f"{plural}.{spec.get('group')}":
            fail(f"{path}: metadata.name {name!r} != <plural>.<group> {plural}.{spec.get('group')}")
        if names.get("listKind") != f"{kind}List":
            fail(f"{path}: {name} listKind {names.get('listKind')!r} != {kind}List")
        if names.get("singular") != str(kind).lower() or plural != str(kind).lower() + "s":
            fail(f"{path}: {name} singular/plural do not follow kind {kind}")
        if spec.get("scope") != "Namespaced":
            fail(f"{path}: {name} scope {spec.get('scope')!r}, expected Namespaced")
        versions = spec.get("versions") or []
        if [v.get("name") for v in versions if v.get("storage")] != ["v1alpha1"]:
            fail(f"{path}: {name} must store exactly v1alpha1")
        for v in versions:
            if v.get("served") and "openAPIV3Schema" not in (v.get("schema") or {}):
                fail(f"{path}: {name} version {v.get('name')} has no openAPIV3Schema")
        if kind in kinds:
            fail(f"{path}: kind {kind} defined twice")
        kinds.add(kind)
        crds[(group, kind)] = d
    if kinds != KINDS:
        fail(f"{path}: kinds {sorted(kinds)} != expected {sorted(KINDS)}")
    ok_since(start, f"{path}: the 10 CRDs, named <plural>.{group}, one stored version each")

# The legacy file is the current one with the group renamed, nothing else.
start = len(failures)
for kind in sorted(KINDS):
    cur, old = crds.get(("traefik.io", kind)), crds.get(("traefik.containo.us", kind))
    if cur is None or old is None:
        continue
    renamed = json.loads(json.dumps(cur))
    renamed["metadata"]["name"] = renamed["metadata"]["name"].replace(".traefik.io", ".traefik.containo.us")
    renamed["spec"]["group"] = "traefik.containo.us"
    if renamed != old:
        fail(f"crds/traefik.containo.us.yaml: {kind} differs from crds/traefik.io.yaml beyond the group")
ok_since(start, "crds/traefik.containo.us.yaml is crds/traefik.io.yaml with the group renamed")

# --- RBAC -----------------------------------------------------------------------------------
def by_kind(path, kind):
    return [d for d in docs.get(path, []) if d.get("kind") == kind]


def granted(role, group, resource, verb):
    for rule in role.get("rules", []):
        if (group in rule.get("apiGroups", []) and resource in rule.get("resources", [])
                and verb in rule.get("verbs", [])):
            return True
    return False


start = len(failures)
roles = by_kind("rbac.yaml", "ClusterRole")
accounts = {(d["metadata"].get("namespace"), d["metadata"]["name"]) for d in by_kind("rbac.yaml", "ServiceAccount")}
if len(roles) != 1:
    fail(f"rbac.yaml: expected one ClusterRole, found {len(roles)}")
else:
    role = roles[0]
    needs = [("", r) for r in ("services", "secrets", "namespaces")]
    needs += [("discovery.k8s.io", "endpointslices")]
    needs += [("networking.k8s.io", r) for r in ("ingresses", "ingressclasses")]
    needs += [(g, c["spec"]["names"]["plural"]) for (g, _), c in crds.items()]
    missing = [f"{v} {g or 'core'}/{r}" for g, r in needs for v in ("get", "list", "watch")
               if not granted(role, g, r, v)]
    if not granted(role, "networking.k8s.io", "ingresses/status", "update"):
        missing.append("update networking.k8s.io/ingresses/status")
    for m in missing:
        fail(f"rbac.yaml: ClusterRole {role['metadata']['name']} lacks {m}")
    for b in by_kind("rbac.yaml", "ClusterRoleBinding"):
        if b["roleRef"]["name"] != role["metadata"]["name"]:
            fail(f"rbac.yaml: ClusterRoleBinding {b['metadata']['name']} binds {b['roleRef']['name']}")
        for s in b.get("subjects", []):
            if s.get("kind") == "ServiceAccount" and (s.get("namespace"), s.get("name")) not in accounts:
                fail(f"rbac.yaml: binding subject {s.get('namespace')}/{s.get('name')} is no ServiceAccount here")
    ok_since(start, f"rbac.yaml: {len(needs)} resources readable, ingresses/status writable,"
             f" bound to ServiceAccount {sorted(accounts)}")

# --- portico.yaml ---------------------------------------------------------------------------
start = len(failures)
deps = by_kind("portico.yaml", "Deployment")
if len(deps) != 1:
    fail(f"portico.yaml: expected one Deployment, found {len(deps)}")
else:
    dep = deps[0]
    ns = dep["metadata"]["namespace"]
    pod = dep["spec"]["template"]["spec"]
    if (ns, pod.get("serviceAccountName")) not in accounts:
        fail(f"portico.yaml: serviceAccountName {pod.get('serviceAccountName')!r} is not in rbac.yaml")
    ctr = pod["containers"][0]
    sc = ctr.get("securityContext", {})
    psc = pod.get("securityContext", {})
    if not (psc.get("runAsNonRoot") and sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False):
        fail("portico.yaml: container must run as non-root, read-only, without privilege escalation")
    args = ctr.get("args", [])
    cfg = [a.split("=", 1)[1] for a in args if a.startswith("--configFile=")]
    ports = {p["name"]: p["containerPort"] for p in ctr.get("ports", [])}
    static = None
    if len(cfg) != 1:
        fail(f"portico.yaml: expected one --configFile=PATH in args, found {args}")
    else:
        path = cfg[0]
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        hit = [m for m in ctr.get("volumeMounts", []) if path.startswith(m["mountPath"].rstrip("/") + "/")]
        if not hit or "configMap" not in volumes.get(hit[0]["name"], {}):
            fail(f"portico.yaml: --configFile {path} is not inside a ConfigMap volume mount")
        else:
            key = path[len(hit[0]["mountPath"].rstrip("/")) + 1:]
            cm_name = volumes[hit[0]["name"]]["configMap"]["name"]
            cms = [c for c in by_kind("portico.yaml", "ConfigMap") if c["metadata"]["name"] == cm_name]
            if not cms or key not in cms[0].get("data", {}):
                fail(f"portico.yaml: ConfigMap {cm_name} has no key {key!r} for --configFile")
            else:
                text = cms[0]["data"][key]
                with open(static_out, "w", encoding="utf-8") as f:
                    f.write(text)
                if yaml is None:
                    print("skip static configuration checks: PyYAML not installed")
                else:
                    static = yaml.safe_load(text)
    if static is not None:
        eps = static.get("entryPoints", {})
        want = {"web": ":8000", "websecure": ":8443"}
        for ep, addr in want.items():
            if eps.get(ep, {}).get("address") != addr:
                fail(f"portico.yaml: static entryPoints.{ep}.address is {eps.get(ep, {}).get('address')!r}, expected {addr!r}")
            if ports.get(ep) != int(addr.lstrip(":")):
                fail(f"portico.yaml: containerPort {ep} is {ports.get(ep)}, entry point listens on {addr}")
        if eps.get("websecure", {}).get("http", {}).get("tls") != {}:
            fail("portico.yaml: entryPoints.websecure.http.tls should be {}")
        prov = static.get("providers", {})
        if "kubernetesCRD" not in prov or "kubernetesIngress" not in prov:
            fail("portico.yaml: static configuration must enable kubernetesCRD and kubernetesIngress")
        published = prov.get("kubernetesIngress", {}).get("ingressEndpoint", {}).get("publishedService", "")
        svc_ids = {f"{s['metadata']['namespace']}/{s['metadata']['name']}" for s in by_kind("portico.yaml", "Service")}
        if published not in svc_ids:
            fail(f"portico.yaml: publishedService {published!r} is not a Service here ({sorted(svc_ids)})")
    for svc in by_kind("portico.yaml", "Service"):
        for p in svc["spec"]["ports"]:
            if p["targetPort"] not in ports and p["targetPort"] not in ports.values():
                fail(f"portico.yaml: Service port {p['port']} targets {p['targetPort']!r}, not a container port")
        sel = svc["spec"]["selector"]
        labels = dep["spec"]["template"]["metadata"]["labels"]
        if any(labels.get(k) != v for k, v in sel.items()):
            fail(f"portico.yaml: Service {svc['metadata']['name']} selector {sel} does not match the pods")
    ok_since(start, f"portico.yaml: Deployment, ConfigMap, Service and static configuration agree"
             f" (--configFile={cfg[0] if cfg else None}, ports {ports})")

# --- example-app.yaml ------------------------------------------------------------------------
def strip_k8s(schema):
    """The CRD schema as plain JSON Schema: drop the x-kubernetes-* extensions."""
    if isinstance(schema, dict):
        return {k: strip_k8s(v) for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if isinstance(schema, list):
        return [strip_k8s(v) for v in schema]
    return schema


start = len(failures)
app = docs.get("example-app.yaml", [])
objs = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in app}
crd_groups = {g for g, _ in crds}
checked = 0
for d in app:
    group, _, version = d["apiVersion"].rpartition("/")
    name = f"{d['kind']}/{d['metadata']['name']}"
    if group in crd_groups:
        crd = crds.get((group, d["kind"]))
        if crd is None:
            fail(f"example-app.yaml: {name} ({d['apiVersion']}) has no CRD in crds/")
            continue
        served = [v for v in crd["spec"]["versions"] if v["name"] == version and v.get("served")]
        if not served:
            fail(f"example-app.yaml: {name}: CRD does not serve {version}")
            continue
        if not d["metadata"].get("namespace"):
            fail(f"example-app.yaml: {name} is namespaced but has no metadata.namespace")
        if jsonschema is not None:
            schema = strip_k8s(served[0]["schema"]["openAPIV3Schema"])
            for err in jsonschema.Draft4Validator(schema).iter_errors(d):
                fail(f"example-app.yaml: {name}: {'.'.join(map(str, err.absolute_path))}: {err.message}")
        checked += 1
if jsonschema is None:
    print("skip schema validation of custom objects: python3 jsonschema not installed")


def need(kind, ns, name, why):
    if (kind, ns, name) not in objs:
        fail(f"example-app.yaml: {why} refers to {kind} {ns}/{name}, which is not defined")


for d in app:
    ns = d["metadata"].get("namespace")
    if d["kind"] == "IngressRoute":
        why = f"IngressRoute {d['metadata']['name']}"
        for route in d["spec"]["routes"]:
            for m in route.get("middlewares", []):
                need("Middleware", m.get("namespace", ns), m["name"], why)
            for s in route.get("services", []):
                need(s.get("kind", "Service"), s.get("namespace", ns), s["name"], why)
        tls = d["spec"].get("tls", {})
        if "options" in tls:
            need("TLSOption", tls["options"].get("namespace", ns), tls["options"]["name"], why)
    if d["kind"] == "Ingress":
        why = f"Ingress {d['metadata']['name']}"
        cls = d["spec"].get("ingressClassName")
        classes = [c for c in app if c["kind"] == "IngressClass" and c["metadata"]["name"] == cls]
        if not classes or classes[0]["spec"].get("controller") != "traefik.io/ingress-controller":
            fail(f"example-app.yaml: {why}: IngressClass {cls!r} missing or not traefik.io/ingress-controller")
        for rule in d["spec"].get("rules", []):
            for p in rule.get("http", {}).get("paths", []):
                need("Service", ns, p["backend"]["service"]["name"], why)
ok_since(start, f"example-app.yaml: {checked} custom objects have CRDs"
         + (" and match their schemas" if jsonschema is not None else "") + "; references resolve")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
PY

if [[ -n "${WITH_PORTICO:-}" && $status -eq 0 ]]; then
  echo "== $WITH_PORTICO validate (static configuration from the ConfigMap)"
  (cd "$tmp" && "$WITH_PORTICO" validate --configFile="$tmp/portico-static.yaml") || status=1
fi

if [[ $status -eq 0 ]]; then
  echo "validate.sh: all checks passed"
else
  echo "validate.sh: FAILED" >&2
fi
exit $status
