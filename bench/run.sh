#!/usr/bin/env bash
# Chartseal verification benchmark: in-process throughput vs a gpg shell loop, and one CLI process vs one gpg process.
# Usage: bench/run.sh            (N=1000 charts)
#        bench/run.sh audit      (repository audit of N=10000 chart versions: see bench/audit.sh)
#        N=200 bench/run.sh      (quick run)
#        bench/run.sh index      (the client's large index: ENTRIES=15000 chart versions, time and peak RSS)
#        bench/run.sh server     (GET /index.yaml next to nginx, and publish into 5,000 charts: see bench/server.sh)
#        bench/run.sh oci        (pull and verify of 100 charts from a local OCI registry next to helm pull --verify: see bench/oci.sh)
#        bench/run.sh page       (the repository page of 5,000 chart versions next to GET /index.yaml: see bench/page.sh)
# Needs: dotnet, gpg, gpgv, sha256sum; hyperfine if installed (else a 50-run date loop).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "${1:-}" == audit ]]; then
  exec "$root/bench/audit.sh"   # repository audit: bench/audit.sh
fi
if [[ "${1:-}" == oci ]]; then
  exec "$root/bench/oci.sh"     # OCI registry: bench/oci.sh
fi
if [[ "${1:-}" == page ]]; then
  exec "$root/bench/page.sh"    # repository page: bench/page.sh
fi
if [[ "${1:-}" == server ]]; then
  exec "$root/bench/server.sh"  # repository server: bench/server.sh
fi
N="${N:-1000}"
RUNS="${RUNS:-50}"
HYPERFINE="${HYPERFINE:-hyperfine}"   # HYPERFINE=none forces the date loop
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-bench.XXXXXX")"
trap 'gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
charts="$work/charts"
bench_dll="$root/artifacts/bench/Chartseal.Bench.dll"

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), N=$N, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$root/chartseal" --help >/dev/null   # builds the NativeAOT CLI when stale

if [[ ${1:-} == index ]]; then
  # The client's large-index path: a generated index.yaml of ENTRIES chart versions (realistic fields), then
  # (a) the library streaming it into a ChartIndex in a fresh process, (b) `chartseal search` (NativeAOT) over a cache holding it.
  # Peak RSS from /usr/bin/time -v (GNU time), the whole process.
  ENTRIES="${ENTRIES:-15000}"
  index="$work/index.yaml"
  dotnet "$bench_dll" index-generate --out "$index" --entries "$ENTRIES"
  peak_kib() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1"; }
  echo
  echo "== a. library: ChartIndex.LoadAsync + SortVersions (workstation GC, as the CLI)"
  echo "-- one parse in a fresh process (JIT), whole-process peak RSS:"
  DOTNET_gcServer=0 /usr/bin/time -v dotnet "$bench_dll" index-parse --file "$index" --rounds 0 --search 0 2>"$work/time-lib.txt" | grep -v '^RESULT'
  lib_peak=$(( $(peak_kib "$work/time-lib.txt") / 1024 ))
  echo "peak RSS (/usr/bin/time -v): $lib_peak MiB"
  echo "-- warm parses, and search through the repository cache:"
  lib="$(DOTNET_gcServer=0 dotnet "$bench_dll" index-parse --file "$index" --rounds 3)"
  echo "$lib" | grep -v '^RESULT'
  lib_warm="$(echo "$lib" | sed -n 's/^RESULT .*warm_ms=\([0-9]*\).*/\1/p')"
  echo
  echo "== b. chartseal search over a cached index (NativeAOT process: start, read repositories.yaml, read the cache, search)"
  home="$work/home"
  mkdir -p "$home/cache/bench"
  cp "$index" "$home/cache/bench/index.yaml"
  printf 'apiVersion: chartseal/v1\nrepositories:\n- name: bench\n  url: https://charts.example.com\n  rootFingerprint: %s\n' "$(printf 'A%.0s' {1..40})" > "$home/repositories.yaml"
  cli_search() { # prints "ms peak_mib"
    local start ms
    start=$(date +%s%N)
    CHARTSEAL_HOME="$home" /usr/bin/time -v "$root/artifacts/cli/Chartseal.Cli" search team-7 >/dev/null 2>"$work/time-cli.txt"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "$ms $(( $(peak_kib "$work/time-cli.txt") / 1024 ))"
  }
  # First run: no summary yet, so it streams index.yaml (the same parse as repo update) and writes the summary.
  read -r parse_ms parse_peak < <(cli_search)
  best_ms=999999; cli_peak=0
  for _ in 1 2 3; do
    read -r ms peak < <(cli_search)
    (( ms < best_ms )) && best_ms=$ms
    (( peak > cli_peak )) && cli_peak=$peak
  done
  echo "chartseal search, parsing index.yaml (as after repo update): $parse_ms ms, peak RSS $parse_peak MiB"
  echo "chartseal search, from the cache's summary: best of 3 $best_ms ms, peak RSS $cli_peak MiB"
  echo
  echo "== targets for $ENTRIES entries ($(du -m "$index" | cut -f1) MB; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  verdict() { awk -v v="$1" -v t="$2" 'BEGIN{print (v <= t) ? "PASS" : "FAIL"}'; }
  printf 'CLI process parsing index.yaml:   %6s ms   (target < 1500 ms)  %s\n' "$parse_ms" "$(verdict "$parse_ms" 1500)"
  printf 'CLI process parsing, peak RSS:    %6s MiB  (target < 300 MB)   %s\n' "$parse_peak" "$(verdict "$parse_peak" 286)"
  printf 'CLI search from the summary:      %6s ms   (information)\n' "$best_ms"
  printf 'library parse (warm, in process):  %6s ms   (target < 1500 ms)  %s\n' "$lib_warm" "$(verdict "$lib_warm" 1500)"
  printf 'library one-parse process peak:   %6s MiB  (target < 300 MB)   %s\n' "$lib_peak" "$(verdict "$lib_peak" 286)"
  exit 0
fi

# A gpg-made RSA-3072 key (no passphrase), exported as a secret keyring for the benchmark's signer.
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'Bench gpg <rsa3072-gpg@bench.invalid>' rsa3072 sign 30d 2>/dev/null
gpg --batch --quiet --export-secret-keys --pinentry-mode loopback --passphrase '' > "$work/gpg-secret.gpg"
dotnet "$bench_dll" generate --out "$charts" --count "$N" --gpg-secret "$work/gpg-secret.gpg"
# Every signer's public key, for gpg (imported) and gpgv (--keyring).
gpg --batch --quiet --import "$charts/pubring.gpg" 2>/dev/null
cp "$charts/pubring.gpg" "$work/gpgv-ring.gpg"
tgz=("$charts"/*.tgz)
count=${#tgz[@]}
rsa_charts=("$charts"/bench-rsa3072-gen-*.tgz)
ed_charts=("$charts"/bench-ed25519-gen-*.tgz)
sample_rsa="${rsa_charts[0]}"
sample_ed="${ed_charts[0]}"

echo
echo "== 1. throughput over $count charts (mix of RSA-3072 gpg-made, RSA-3072 KeyGenerator, Ed25519 KeyGenerator)"
inproc="$(dotnet "$bench_dll" verify --dir "$charts" --keyring "$charts/pubring.gpg" --rounds 3)"
echo "$inproc" | grep -v '^RESULT'
par="$(echo "$inproc" | sed -n 's/^RESULT .*parallel=\([0-9.]*\).*/\1/p')"
single="$(echo "$inproc" | sed -n 's/^RESULT .*single=\([0-9.]*\).*/\1/p')"

loop() { # $1 = command prefix; checks each signature and hashes each archive, as a shell pipeline would
  local start end failures=0
  start=$(date +%s%N)
  for f in "${tgz[@]}"; do
    "$@" "$f.prov" >/dev/null 2>&1 || failures=$((failures + 1))
    sha256sum "$f" >/dev/null
  done
  end=$(date +%s%N)
  [[ $failures -eq 0 ]] || echo "WARNING: $failures signatures failed with $1" >&2
  echo "$(( (end - start) / 1000 ))"
}
gpg_us="$(loop gpg --batch --verify)"
gpgv_us="$(loop gpgv --keyring "$work/gpgv-ring.gpg")"
gpg_rate="$(awk -v n="$count" -v us="$gpg_us" 'BEGIN{printf "%.1f", n/(us/1e6)}')"
gpgv_rate="$(awk -v n="$count" -v us="$gpgv_us" 'BEGIN{printf "%.1f", n/(us/1e6)}')"
printf '%-48s %10s charts/s\n' "chartseal in-process, all cores" "$par"
printf '%-48s %10s charts/s\n' "chartseal in-process, one thread" "$single"
printf '%-48s %10s charts/s\n' "shell loop: gpg --verify + sha256sum" "$gpg_rate"
printf '%-48s %10s charts/s\n' "shell loop: gpgv --keyring + sha256sum" "$gpgv_rate"

echo
echo "== 2. one process: ./chartseal verify vs gpg --verify (RSA-3072 and Ed25519 samples)"
cli="$root/artifacts/cli/Chartseal.Cli"
declare -A ms
measure() { # $1 = label, rest = command; prints mean ms
  local label="$1"; shift
  if command -v "$HYPERFINE" >/dev/null; then
    "$HYPERFINE" -N --warmup 5 --runs "$RUNS" --export-json "$work/h.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$work/h.json"
  else
    for _ in 1 2 3 4 5; do "$@" >/dev/null 2>&1; done
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    awk -v d="$((end - start))" -v r="$RUNS" 'BEGIN{printf "%.2f", d/r/1e6}'
  fi
}
for kind in rsa ed; do
  sample="$sample_rsa"; [[ $kind == ed ]] && sample="$sample_ed"
  "$cli" verify "$sample" --keyring "$charts/pubring.gpg" >/dev/null
  ms[cs_$kind]="$(measure chartseal "$cli" verify "$sample" --keyring "$charts/pubring.gpg")"
  ms[gpg_$kind]="$(measure gpg gpg --batch --verify "$sample.prov")"
  ms[gpgv_$kind]="$(measure gpgv gpgv --keyring "$work/gpgv-ring.gpg" "$sample.prov")"
done
printf '%-40s %12s %12s\n' "" "RSA-3072" "Ed25519"
printf '%-40s %9s ms %9s ms\n' "chartseal verify (NativeAOT process)" "${ms[cs_rsa]}" "${ms[cs_ed]}"
printf '%-40s %9s ms %9s ms\n' "gpg --verify" "${ms[gpg_rsa]}" "${ms[gpg_ed]}"
printf '%-40s %9s ms %9s ms\n' "gpgv --keyring" "${ms[gpgv_rsa]}" "${ms[gpgv_ed]}"

echo
echo "== targets (load average now $(cut -d' ' -f1-3 /proc/loadavg); other work on the machine skews every figure)"
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN{ok = (dir == ">=") ? v >= t : v <= t; print ok ? "PASS" : "FAIL"}'; }
r1="$(awk -v a="$par" -v b="$gpg_rate" 'BEGIN{printf "%.1f", a/b}')"
r1v="$(awk -v a="$par" -v b="$gpgv_rate" 'BEGIN{printf "%.1f", a/b}')"
r1s="$(awk -v a="$single" -v b="$gpg_rate" 'BEGIN{printf "%.1f", a/b}')"
printf 'in-process (all cores) / gpg loop:  %6sx  (target >= 20x)  %s\n' "$r1" "$(verdict "$r1" 20 '>=')"
printf 'in-process (one thread) / gpg loop: %6sx  (information)\n' "$r1s"
printf 'in-process (all cores) / gpgv loop: %6sx  (information)\n' "$r1v"
for kind in rsa ed; do
  r2="$(awk -v a="${ms[cs_$kind]}" -v b="${ms[gpg_$kind]}" 'BEGIN{printf "%.2f", a/b}')"
  label=RSA-3072; [[ $kind == ed ]] && label=Ed25519
  printf 'chartseal verify / gpg --verify, %-8s %5sx  (target <= 2x)   %s\n' "$label:" "$r2" "$(verdict "$r2" 2 '<=')"
done
