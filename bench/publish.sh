#!/usr/bin/env bash
# Publish benchmark: one `chartseal publish` (the installed NativeAOT binary, whole process: trust check, verify, index
# read and write, each file fsync'ed) into a repository of N signed chart versions, timed with hyperfine.
# Usage: bench/run.sh publish        (N=5000; the repository is generated once and cached, as for bench/audit.sh)
#        N=1000 bench/run.sh publish
# Needs: dotnet, hyperfine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-5000}"
RUNS="${RUNS:-20}"
cache="${BENCH_CACHE:-$root/artifacts/bench-cache}"
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-publish-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export CHARTSEAL_HOME="$work/home"
mkdir -p "$CHARTSEAL_HOME"
bench_dll="$root/artifacts/bench/Chartseal.Bench.dll"
cli="$root/artifacts/cli/Chartseal.Cli"

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, N=$N, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$root/chartseal" --help >/dev/null   # builds the NativeAOT CLI when stale
if [[ ! -f "$cache/repo-$N/index.yaml" ]]; then
  rm -rf "$cache/repo-$N"
  mkdir -p "$cache"
  dotnet "$bench_dll" repo --out "$cache/repo-$N" --count "$N"
fi
# A copy: publish rewrites index.yaml.
repo="$work/repo"
cp -r "$cache/repo-$N" "$repo"
fpr="$(cat "$repo/root.fpr")"
archives=("$repo"/*.tgz)
chart="$(basename "${archives[0]}")"
cp "$repo/$chart" "$repo/$chart.prov" "$work/"
echo "repository: $N chart versions, index.yaml $(du -k "$repo/index.yaml" | cut -f1) KiB; publishing $(basename "$chart") again with --force"
"$cli" publish "$work/$chart" --repo "$repo" --root-fingerprint "$fpr" --force >/dev/null
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/publish.json" \
  "$cli publish $work/$chart --repo $repo --root-fingerprint $fpr --force" >/dev/null 2>&1
read -r mean min user sys < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f %.0f %.0f %.0f" % (r["mean"]*1000, r["min"]*1000, r["user"]*1000, r["system"]*1000))' "$work/publish.json")
verdict="$(awk -v m="$mean" 'BEGIN{print (m < 250) ? "PASS" : "FAIL"}')"
echo "== result (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo "publish into $N charts: mean $mean ms, min $min ms (CPU: $user ms user, $sys ms system) (target < 250 ms: $verdict)"
