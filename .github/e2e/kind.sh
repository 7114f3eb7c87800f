#!/usr/bin/env bash
# End-to-end checks of dist/ on a kind cluster, one step per function, called by .github/workflows/e2e-kind.yml as
# `bash .github/e2e/kind.sh <step> [args]`. Every value comes in as an argument or from config/prod.yaml.
set -euo pipefail

namespace=alloy
workload=alloy

# prod_value <dotted key under alloy>: one value of config/prod.yaml.
prod_value() {
  node -e 'const y = require("yaml"); const v = process.argv[1].split(".").reduce((o, k) => o?.[k],
    y.parse(require("fs").readFileSync("config/prod.yaml", "utf8")).alloy); console.log(Array.isArray(v) ? v.join(" ") : v);' "$1"
}

# configure <replicas> <loadBalancerIP>: the stack file for this run (HA mode trusts the self-signed issuer's ca.crt).
configure() {
  local replicas=$1 address=$2
  sed -i -e "s/^  loadBalancerIP: .*/  loadBalancerIP: ${address}/" -e "s/^  replicas: .*/  replicas: ${replicas}/" config/prod.yaml
  if [ "$replicas" -gt 1 ]; then
    printf '  ha:\n    clusterCa: secret\n' >>config/prod.yaml
  fi
  npm run -s synth
}

# issuer: a self-signed ClusterIssuer under the name the stack file configures.
issuer() {
  kubectl apply -f - <<YAML
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: $(prod_value clusterIssuer)
spec:
  selfSigned: {}
YAML
}

# credentials: the Secret the pipeline reads, with placeholder values (nothing is exported in this test).
credentials() {
  local args=() key
  kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
  for key in $(prod_value envFromSecret.keys); do
    args+=("--from-literal=${key}=https://127.0.0.1:9/placeholder")
  done
  kubectl -n "$namespace" create secret generic "$(prod_value envFromSecret.name)" "${args[@]}" \
    --dry-run=client -o yaml | kubectl apply -f -
}

# pods: names of the Alloy pods.
pods() {
  kubectl -n "$namespace" get pods -l app.kubernetes.io/name=alloy -o jsonpath='{.items[*].metadata.name}'
}

# ca_file: the issuer's CA (ca.crt of the certificate Secret) in a temp file; prints its path.
ca_file() {
  local file
  file=$(mktemp)
  kubectl -n "$namespace" get secret alloy-tls -o jsonpath='{.data.ca\.crt}' | base64 -d >"$file"
  echo "$file"
}

# in_pod <pod> <path>: GET <path> from one pod's HTTPS server through a port-forward, verifying its certificate.
in_pod() {
  local pod=$1 path=$2 port forward status=0 hostname ca
  hostname=$(prod_value hostname)
  ca=$(ca_file)
  port=$((20000 + RANDOM % 10000))
  kubectl -n "$namespace" port-forward "pod/${pod}" "${port}:12345" >/dev/null &
  forward=$!
  curl -fsS --retry 10 --retry-delay 1 --retry-all-errors --cacert "$ca" \
    --resolve "${hostname}:${port}:127.0.0.1" "https://${hostname}:${port}${path}" || status=$?
  kill "$forward"
  wait "$forward" 2>/dev/null || true
  return "$status"
}

# ready <replicas>: every pod ready, and /-/ready over verified HTTPS through the LoadBalancer.
ready() {
  local replicas=$1 hostname address ca
  kubectl -n "$namespace" wait --for=condition=Ready certificate/alloy-tls --timeout=180s
  if [ "$replicas" -gt 1 ]; then
    kubectl -n "$namespace" rollout status "statefulset/${workload}" --timeout=300s
  else
    kubectl -n "$namespace" rollout status "deployment/${workload}" --timeout=300s
  fi
  hostname=$(prod_value hostname)
  address=$(prod_value loadBalancerIP)
  ca=$(ca_file)
  curl -fsS --retry 30 --retry-delay 5 --retry-all-errors --cacert "$ca" \
    --resolve "${hostname}:12345:${address}" "https://${hostname}:12345/-/ready"
}

# snapshot: uid and restart count of every pod, one line each.
snapshot() {
  kubectl -n "$namespace" get pods -l app.kubernetes.io/name=alloy \
    -o jsonpath='{range .items[*]}{.metadata.uid} {.status.containerStatuses[*].restartCount}{"\n"}{end}' | sort
}

# reload: change a .alloy file, apply, and require every pod to run the new hash without a restart.
reload() {
  local before expected pod deadline
  before=$(snapshot)
  sed -i 's/level  = "info"/level  = "debug"/' assets/alloy/logging.alloy
  grep -q '"debug"' assets/alloy/logging.alloy
  npm run -s synth
  kubectl apply -f dist/
  expected=$(kubectl -n "$namespace" get configmap alloy-config \
    -o jsonpath='{.metadata.annotations.alloy-deploy/alloy-config-hash}')
  deadline=$((SECONDS + 240))
  for pod in $(pods); do
    until in_pod "$pod" /metrics | grep -q "^alloy_config_hash{sha256=\"${expected}\"} 1"; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "::error::${pod} does not report alloy_config_hash ${expected}" >&2
        in_pod "$pod" /metrics | grep '^alloy_config' >&2 || true
        return 1
      fi
      sleep 5
    done
    in_pod "$pod" /metrics | grep -q '^alloy_config_last_load_successful 1'
  done
  if [ "$(snapshot)" != "$before" ]; then
    echo "::error::a pod was replaced or restarted by a config-only change" >&2
    printf 'before:\n%s\nafter:\n%s\n' "$before" "$(snapshot)" >&2
    return 1
  fi
}

# peers <replicas>: every pod's cluster view lists all replicas.
peers() {
  local replicas=$1 pod count
  for pod in $(pods); do
    count=$(in_pod "$pod" /api/v0/web/peers | jq length)
    if [ "$count" -ne "$replicas" ]; then
      echo "::error::${pod} sees ${count} peers, expected ${replicas}" >&2
      return 1
    fi
  done
}

case "${1:-}" in
configure | issuer | credentials | ready | reload | peers) "$@" ;;
*)
  echo "usage: $0 configure|issuer|credentials|ready|reload|peers [args]" >&2
  exit 2
  ;;
esac
