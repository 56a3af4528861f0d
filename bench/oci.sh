#!/usr/bin/env bash
# OCI pull-and-verify benchmark, in one run on this machine: N (100) signed charts pushed with `chartseal push` to a
# local CNCF registry (distribution, plain HTTP on 127.0.0.1), then
#   1. one `chartseal pull REF1 ... REFN` (one process: one trust check, parallel downloads, every chart verified
#      against the namespace's trust material), best of ROUNDS;
#   2. a loop of N `helm pull --verify --keyring pubkeys.pgp` (Helm 4.1.4), one process per chart.
# Usage: bench/oci.sh             (N=100)
#        N=20 ROUNDS=1 bench/oci.sh   (quick run)
# Needs: dotnet, docker-registry (Debian package), Helm 4.1.4 (.ci/fetch-helm, or CHARTSEAL_PEERS_DIR / CHARTSEAL_HELM4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-100}"
ROUNDS="${ROUNDS:-3}"
helm="${CHARTSEAL_HELM4:-${CHARTSEAL_PEERS_DIR:-$root/.cache/peers}/helm-4.1.4/helm}"
registry_bin="${CHARTSEAL_REGISTRY:-/usr/bin/docker-registry}"
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-oci-bench.XXXXXX")"
registry_pid=""
cleanup() { [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export CHARTSEAL_HOME="$work/home"
export HELM_CONFIG_HOME="$work/helm/config" HELM_CACHE_HOME="$work/helm/cache" HELM_DATA_HOME="$work/helm/data" KUBECONFIG="$work/helm/kubeconfig"
export DOCKER_CONFIG="$work/docker" HELM_REGISTRY_CONFIG="$work/helm/registry.json"
cs="$root/chartseal"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), N=$N, load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -x $helm ]] || { echo "Helm 4.1.4 not found at $helm (run .ci/fetch-helm, or set CHARTSEAL_PEERS_DIR)" >&2; exit 2; }
[[ -x $registry_bin ]] || { echo "the CNCF registry is not at $registry_bin (apt-get install docker-registry)" >&2; exit 2; }
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$cs" --help >/dev/null   # builds the NativeAOT CLI when stale
echo "helm: $("$helm" version --short), registry: $("$registry_bin" --version 2>&1 | head -1)"

# The registry, on a free loopback port.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/registry"
cat > "$work/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:$port
YAML
"$registry_bin" serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
ns="oci://127.0.0.1:$port/bench/charts"

# N signed charts (RSA-3072 and Ed25519 signers), the namespace's trust material naming the signers, every chart pushed
# through the gate.
dotnet "$root/artifacts/bench/Chartseal.Bench.dll" generate --out "$work/charts" --count "$N"
"$cs" key generate --name "Bench root <root@bench.invalid>" --out "$work/root" --expires 0 >/dev/null
fpr="$("$cs" trust init "$ns" --root-key root@bench.invalid --root-keyring "$work/root.sec.asc" --plain-http | sed -n 's/^Root fingerprint (pin this): //p')"
"$cs" trust add "$ns" "$work/charts/pubring.gpg" --root-key root@bench.invalid --root-keyring "$work/root.sec.asc" --plain-http >/dev/null
start=$(now_ms)
refs=()
for archive in "$work"/charts/*.tgz; do
  "$cs" push "$archive" "$ns" --root-fingerprint "$fpr" --plain-http >/dev/null
  base="$(basename "$archive" .tgz)"      # NAME-VERSION
  name="${base%-*}"; version="${base##*-}"
  refs+=("$ns/$name:$version")
done
echo "pushed ${#refs[@]} charts with chartseal push in $(( $(now_ms) - start )) ms"
"$cs" repo add bench "$ns" --root-fingerprint "$fpr" --plain-http >/dev/null
keyring="$CHARTSEAL_HOME/cache/bench/pubkeys.pgp"   # the namespace's verified pubkeys.pgp, as a Helm user would pass it

echo
echo "== 1. chartseal pull of all $N charts in one process (best of $ROUNDS)"
best=""
for round in $(seq "$ROUNDS"); do
  rm -rf "$work/out-chartseal"
  start=$(now_ms)
  "$cs" pull "${refs[@]}" -d "$work/out-chartseal" >/dev/null
  ms=$(( $(now_ms) - start ))
  echo "round $round: $ms ms"
  [[ -z $best || $ms -lt $best ]] && best=$ms
done
[[ $(ls "$work/out-chartseal"/*.tgz | wc -l) -eq $N && $(ls "$work/out-chartseal"/*.prov | wc -l) -eq $N ]]
chartseal_ms=$best

echo
echo "== 2. helm pull --verify, one process per chart ($N processes)"
mkdir -p "$work/out-helm"
"$helm" pull "${refs[0]%:*}" --version "${refs[0]##*:}" --plain-http --verify --keyring "$keyring" -d "$work/out-helm" >/dev/null 2>&1   # warm-up
rm -f "$work/out-helm"/*
start=$(now_ms)
for ref in "${refs[@]}"; do
  "$helm" pull "${ref%:*}" --version "${ref##*:}" --plain-http --verify --keyring "$keyring" -d "$work/out-helm" >/dev/null 2>&1
done
helm_ms=$(( $(now_ms) - start ))
[[ $(ls "$work/out-helm"/*.tgz | wc -l) -eq $N ]]
echo "helm loop: $helm_ms ms"

echo
ratio="$(awk -v h="$helm_ms" -v c="$chartseal_ms" 'BEGIN{printf "%.1f", h/c}')"
verdict="$(awk -v r="$ratio" 'BEGIN{print (r >= 5) ? "PASS" : "FAIL"}')"
echo "== result (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
printf 'chartseal pull, %d charts, one process: %6d ms (%.1f ms/chart)\n' "$N" "$chartseal_ms" "$(awk -v m="$chartseal_ms" -v n="$N" 'BEGIN{print m/n}')"
printf 'helm pull --verify loop, %d charts:     %6d ms (%.1f ms/chart)\n' "$N" "$helm_ms" "$(awk -v m="$helm_ms" -v n="$N" 'BEGIN{print m/n}')"
echo "chartseal is ${ratio}x faster (target >= 5x: $verdict)"
