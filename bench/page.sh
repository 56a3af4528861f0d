#!/usr/bin/env bash
# Repository page benchmark: how long `chartseal serve` takes to answer the repository page (/, a chart's page, their
# JSON) for a repository of N (5,000) signed chart versions, next to GET /index.yaml on the same server.
#   1. the first GET / after start: every version judged by the gate (the same cost after a trust change);
#   2. REQUESTS sequential requests per URL over one connection (curl), median and 90th percentile, and the body size;
#   3. the first GET / after index.yaml changed (chartseal repo index, one chart more): only the new version is judged.
# Usage: bench/page.sh                  (N=5000, 200 requests per URL; about a minute once the repository exists)
#        N=1000 REQUESTS=50 bench/page.sh
# Needs: dotnet, curl, python3. The repository is generated once into artifacts/bench-cache (as bench/audit.sh does).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-5000}"
REQUESTS="${REQUESTS:-200}"
cache="${BENCH_CACHE:-$root/artifacts/bench-cache}"
source_repo="$cache/repo-$N"
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-page-bench.XXXXXX")"
server=""
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export CHARTSEAL_HOME="$work/home"
mkdir -p "$CHARTSEAL_HOME"
cs="$root/chartseal"
bench_dll="$root/artifacts/bench/Chartseal.Bench.dll"

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), N=$N, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$cs" --help >/dev/null   # builds the NativeAOT CLI and server when stale
if [[ ! -f "$source_repo/index.yaml" || ! -f "$source_repo/root.fpr" ]]; then
  rm -rf "$source_repo"
  mkdir -p "$cache"
  dotnet "$bench_dll" repo --out "$source_repo" --count "$N"
else
  echo "reusing the cached repository $source_repo"
fi
repo="$work/repo"
cp -r "$source_repo" "$repo"   # step 3 changes the repository: keep the cached one as it was
fpr="$(cat "$repo/root.fpr")"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
echo "repository: $(grep -c '^  - ' "$repo/index.yaml" || true) chart versions of $(grep -c '^  app-' "$repo/index.yaml" || true) charts, index.yaml $(du -k "$repo/index.yaml" | cut -f1) KiB"

"$cs" serve "$repo" --listen "$url" --root-fingerprint "$fpr" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 200); do curl -sf "$url/health" >/dev/null && break; sleep 0.1; done

echo
echo "== 1. first GET / after start (judges all $N versions: the same work as an audit)"
curl -s -o /dev/null -w 'GET /: %{http_code}, %{time_total} s, %{size_download} bytes\n' "$url/"

echo
echo "== 2. $REQUESTS sequential requests per URL, one connection (curl), after a warm-up"
measure() {  # PATH: median and p90 of time_total over REQUESTS requests, and the body size
  local path="$1" args=()
  for _ in $(seq "$REQUESTS"); do args+=(-o /dev/null "$url$path"); done   # -o applies to one URL each
  curl -s "${args[@]:0:60}"   # warm-up: 20 requests
  curl -s -w '%{time_total} %{size_download} %{http_code}\n' "${args[@]}" | python3 -c '
import sys, statistics
path = sys.argv[1]
rows = [l.split() for l in sys.stdin if l.strip()]
assert all(r[2] == "200" for r in rows), (path, set(r[2] for r in rows))
t = sorted(float(r[0]) * 1000 for r in rows)
p90 = t[int(len(t) * 0.9) - 1]
print(f"{path:<40} median {statistics.median(t):7.2f} ms   p90 {p90:7.2f} ms   {int(rows[0][1]):>8} bytes")' "$path"
}
for path in /index.yaml / "/?page=4" "/?q=app-4" /charts/app-00 /api/repository /api/repository/charts/app-00 /api/charts/app-00; do
  measure "$path"
done

echo
echo "== 3. index.yaml changes (one unsigned chart more, chartseal repo index): the first GET / judges only the new version"
"$cs" package "$root/examples/hello" -d "$repo" >/dev/null
"$cs" repo index "$repo" >/dev/null
curl -s -o /dev/null -w 'GET / after the index changed: %{http_code}, %{time_total} s, %{size_download} bytes\n' "$url/"
curl -s "$url/charts/hello" | grep -o 'data-verdict="[a-z-]*"' | sed 's/^/hello 0.1.0: /'

echo
echo "== done: load average $(cut -d' ' -f1-3 /proc/loadavg)"
