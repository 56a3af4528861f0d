#!/usr/bin/env bash
# Repository server benchmark, in one run on this machine:
#   1. GET /index.yaml requests per second: chartseal serve next to nginx serving the same folder (wrk);
#   2. one `chartseal publish` into a repository of N (5,000) signed charts, timed whole (hyperfine).
# Usage: bench/server.sh            (N=5000 charts, 10 s per wrk run)
#        N=500 DURATION=3 bench/server.sh   (quick run)
# Needs: dotnet, nginx, wrk, hyperfine (Debian packages nginx-light, wrk, hyperfine).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-5000}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-server-bench.XXXXXX")"
chmod 755 "$work"   # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export CHARTSEAL_HOME="$work/home"
cs="$root/chartseal"
repo="$work/repo"

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), N=$N, load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$cs" --help >/dev/null
# N signed charts (RSA-3072 and Ed25519 signers), indexed; a root key and trust material listing the signers.
dotnet "$root/artifacts/bench/Chartseal.Bench.dll" generate --out "$repo" --count "$N" >/dev/null
"$cs" repo index "$repo" >/dev/null
"$cs" key generate --name "Bench root <root@bench.invalid>" --out "$work/root" --expires 0 >/dev/null
fpr="$("$cs" trust init "$repo" --root-key root@bench.invalid --root-keyring "$work/root.sec.asc" | sed -n 's/^Root fingerprint (pin this): //p')"
"$cs" trust add "$repo" "$repo/pubring.gpg" --root-key root@bench.invalid --root-keyring "$work/root.sec.asc" >/dev/null
"$cs" key generate --name "Bench maintainer <maintainer@bench.invalid>" --out "$work/maintainer" --algorithm ed25519 --expires 0 >/dev/null
"$cs" trust add "$repo" "$work/maintainer.pub.asc" --root-key root@bench.invalid --root-keyring "$work/root.sec.asc" >/dev/null
echo "repository: $(grep -c '^  - ' "$repo/index.yaml" || true) index entries, index.yaml $(du -k "$repo/index.yaml" | cut -f1) KiB"

echo
echo "== 1. GET /index.yaml, wrk -t2 -c$CONNECTIONS -d${DURATION}s, same file, same machine (load generator shares the cores)"
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:18181; root $repo; }
}
NGINX
nginx -c "$work/nginx/nginx.conf"
"$cs" serve "$repo" --listen http://127.0.0.1:18182 --root-fingerprint "$fpr" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:18182/health >/dev/null && break; sleep 0.1; done
cmp <(curl -s http://127.0.0.1:18181/index.yaml) <(curl -s http://127.0.0.1:18182/index.yaml)

small="$work/small"
mkdir -p "$small"
archives=("$repo"/*.tgz)
cp "${archives[@]:0:20}" "$small"/
"$cs" repo index "$small" >/dev/null
cp "$small/index.yaml" "$repo/small-index.yaml"   # nginx serves it from the same root
rps() { wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
for which in small full; do
  if [[ $which == small ]]; then
    # The server only serves index.yaml under that name: a second server over the 20-chart folder.
    "$cs" serve "$small" --listen http://127.0.0.1:18183 >"$work/serve-small.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do curl -sf http://127.0.0.1:18183/health >/dev/null && break; sleep 0.1; done
    ours="http://127.0.0.1:18183/index.yaml"; theirs="http://127.0.0.1:18181/small-index.yaml"
    size="$(du -k "$small/index.yaml" | cut -f1) KiB, 20 charts"
  else
    ours="http://127.0.0.1:18182/index.yaml"; theirs="http://127.0.0.1:18181/index.yaml"
    size="$(du -k "$repo/index.yaml" | cut -f1) KiB, $N charts"
  fi
  wrk -t2 -c"$CONNECTIONS" -d1s "$ours" >/dev/null; wrk -t2 -c"$CONNECTIONS" -d1s "$theirs" >/dev/null   # warm up
  nginx_rps="$(rps "$theirs")"
  our_rps="$(rps "$ours")"
  ratio="$(awk -v a="$our_rps" -v b="$nginx_rps" 'BEGIN{printf "%.2f", a/b}')"
  verdict="$(awk -v r="$ratio" 'BEGIN{print (r >= 0.5) ? "PASS" : "FAIL"}')"
  printf 'index.yaml (%s): nginx %s req/s, chartseal serve %s req/s = %sx nginx (target >= 0.5x: %s)\n' "$size" "$nginx_rps" "$our_rps" "$ratio" "$verdict"
done

echo
echo "== 2. chartseal publish of one chart into the $N-chart repository (whole process: trust check, verify, index read+write)"
"$cs" package "$root/examples/hello" -d "$work" --sign --key maintainer@bench.invalid --keyring "$work/maintainer.sec.asc" >/dev/null
"$cs" publish "$work/hello-0.1.0.tgz" --repo "$repo" --root-fingerprint "$fpr" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/publish.json" \
  "$cs publish $work/hello-0.1.0.tgz --repo $repo --root-fingerprint $fpr --force" >/dev/null 2>&1
mean_ms="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.0f %.0f %.0f" % (r["mean"]*1000, r["min"]*1000, r["max"]*1000))' "$work/publish.json")"
read -r mean min max <<<"$mean_ms"
verdict="$(awk -v m="$mean" 'BEGIN{print (m < 500) ? "PASS" : "FAIL"}')"
echo "publish into $N charts: mean $mean ms (min $min, max $max) (target < 500 ms: $verdict)"
