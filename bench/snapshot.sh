#!/usr/bin/env bash
# Signed index snapshot benchmark: what the index key costs the server and the client, each figure next to the same
# thing without an index key, in the same run. Two copies of a repository of N (5,000) signed chart versions, served
# by two `chartseal serve` (NativeAOT) on 127.0.0.1: A with --index-key (its trust material names an index key),
# B without (its trust material names none).
#   1. upload to 201: RUNS uploads of a fresh signed chart version to each server (curl, alternating A and B), each
#      checked afterwards: A's snapshot.yaml.asc names the new index.yaml (hash and size) and its content-addressed copy
#      is served; then `chartseal index sign` alone on the folder (hyperfine), the index unchanged and changed, next
#      to the same three steps by hand (sha256sum, cp, gpg --clearsign);
#   2. the client: `chartseal repo update NAME` against A and against B (hyperfine), nothing changed (the common case)
#      and after an upload before each run; the bytes each fetches, counted by a small forwarding proxy (python3).
# Usage: bench/run.sh snapshot          (N=5000; the repository is generated once into artifacts/bench-cache)
#        N=500 RUNS=5 ROUNDS=1 bench/snapshot.sh   (quick run)
# On a shared machine the load moves within a minute: the uploads alternate A and B, and each hyperfine figure is
# ROUNDS rounds whose order turns (A then B, B then A, ...), their runs pooled.
# Needs: dotnet, curl, python3, gpg, sha256sum, hyperfine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${N:-5000}"
RUNS="${RUNS:-20}"                 # uploads per server in part 1 (after 3 warm-up uploads each)
ROUNDS="${ROUNDS:-3}"              # hyperfine figures: this many rounds, the order of the variants turning each round
UPDATE_RUNS="${UPDATE_RUNS:-10}"   # repo update runs per round, nothing changed
CHANGED_RUNS="${CHANGED_RUNS:-4}"  # repo update runs per round, an upload before each
SIGN_RUNS="${SIGN_RUNS:-10}"       # index sign runs per round
for tool in hyperfine curl python3 gpg sha256sum; do
  command -v "$tool" >/dev/null || { echo "bench/snapshot.sh: $tool is needed and not installed" >&2; exit 2; }
done
cache="${BENCH_CACHE:-$root/artifacts/bench-cache}"
source_repo="$cache/repo-$N"
root_secret="$cache/repo-$N.root.sec.asc"   # beside the repository, never in it
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-snapshot-bench.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
  gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT   # a signal ends the script through its exit, so the servers are stopped and the folder removed
trap 'exit 143' TERM
export CHARTSEAL_HOME="$work/home"
export GNUPGHOME="$work/gnupg"
mkdir -p "$CHARTSEAL_HOME" && mkdir -m 700 "$GNUPGHOME"
cs="$root/chartseal"
cli="$root/artifacts/cli/Chartseal.Cli"
bench_dll="$root/artifacts/bench/Chartseal.Bench.dll"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== setup: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), N=$N, load average $(load)"
dotnet build "$root/bench/Chartseal.Bench/Chartseal.Bench.csproj" -c Release -o "$root/artifacts/bench" --nologo -v quiet >/dev/null
"$cs" --help >/dev/null   # builds the NativeAOT CLI and server when stale
if [[ ! -f "$source_repo/index.yaml" || ! -f "$source_repo/root.fpr" || ! -f "$root_secret" ]]; then
  rm -rf "$source_repo" "$root_secret"
  mkdir -p "$cache"
  dotnet "$bench_dll" repo --out "$source_repo" --count "$N" --root-secret "$root_secret"
else
  echo "reusing the cached repository ${source_repo#"$root"/}"
fi
fpr="$(cat "$source_repo/root.fpr")"
rk=(--root-key root@bench.invalid --root-keyring "$root_secret")

# The same repository twice (uploads change them; the cache stays as it was): a maintainer who uploads, added to both;
# an Ed25519 index key (chartseal key generate's default), named by A's trust material only.
"$cli" key generate --name "Bench uploader <uploader@bench.invalid>" --out "$work/uploader" --expires 0 >/dev/null
"$cli" key generate --name "Bench index <index@bench.invalid>" --out "$work/idx" --expires 0 >/dev/null
for r in a b; do
  cp -r "$source_repo" "$work/repo-$r"
  "$cli" trust add "$work/repo-$r" "$work/uploader.pub.asc" "${rk[@]}" >/dev/null
done
"$cli" trust index-key add "$work/repo-a" "$work/idx.pub.asc" "${rk[@]}" >/dev/null
ik=(--key index@bench.invalid --keyring "$work/idx.sec.asc")
"$cli" index sign "$work/repo-a" "${ik[@]}" >/dev/null
cp -r "$work/repo-a" "$work/repo-s"   # for index sign alone (its index.yaml is changed by hand)
echo "repository: $(grep -c '^  - ' "$work/repo-a/index.yaml" || true) chart versions, index.yaml $(du -k "$work/repo-a/index.yaml" | cut -f1) KiB; index key: Ed25519"

# Chart versions to upload: examples/hello as 0.0.1, 0.0.2, ... signed by the uploader (the same files go to A and B).
pool="$work/pool"
mkdir -p "$pool"
total=$((3 + RUNS + ROUNDS * (1 + CHANGED_RUNS) + 2 + 2))   # per server: warm-up, part 1, part 2 (hyperfine warm-ups, runs, proxy, index GETs); 2 spare
for i in $(seq "$total"); do
  "$cli" package "$root/examples/hello" -d "$pool" --version "0.0.$i" --sign --key uploader@bench.invalid --keyring "$work/uploader.sec.asc" >/dev/null
done

# The servers: A signs snapshots (--index-key), B does not; otherwise the same options.
python3 -c 'import secrets; print(secrets.token_hex(24))' > "$work/token"
token="$(cat "$work/token")"
declare -A url
start_server() { # NAME REPO_DIR [EXTRA ARGS...]
  local name="$1" dir="$2" port
  shift 2
  port="$(free_port)"
  url[$name]="http://127.0.0.1:$port"
  mkdir -p "$work/server-home-$name"   # the servers' rollback state is per root, and A's trust is a version ahead of B's
  CHARTSEAL_HOME="$work/server-home-$name" "$cli" serve "$dir" --listen "${url[$name]}" --root-fingerprint "$fpr" --upload-token-file "$work/token" \
    --writes-per-minute 100000 "$@" >"$work/serve-$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -sf --max-time 2 "${url[$name]}/health" >/dev/null && return 0; sleep 0.1; done
  echo "server $name did not start:" >&2; cat "$work/serve-$name.log" >&2; exit 1
}
start_server a "$work/repo-a" --index-key index@bench.invalid --index-keyring "$work/idx.sec.asc"
start_server b "$work/repo-b"

# The upload script (also hyperfine's --prepare in part 2): the next version of the pool, chart and .prov in one request.
cat > "$work/upload.sh" <<UPLOAD
#!/usr/bin/env bash
# upload.sh a|b: uploads the next pool version to that server; prints "SECONDS VERSION", fails unless 201
set -euo pipefail
counter="$work/next-\$1"
n=\$(( \$(cat "\$counter" 2>/dev/null || echo 0) + 1 ))
echo "\$n" > "\$counter"
base="\$( [[ \$1 == a ]] && echo "${url[a]}" || echo "${url[b]}" )"
read -r seconds code < <(curl -s --max-time 60 -o "$work/upload-\$1.out" -w '%{time_total} %{http_code}\n' \\
  -H "Authorization: Bearer $token" -F "chart=@$pool/hello-0.0.\$n.tgz" -F "prov=@$pool/hello-0.0.\$n.tgz.prov" "\$base/api/charts")
[[ \$code == 201 ]] || { echo "upload of hello 0.0.\$n to \$1: HTTP \$code \$(cat "$work/upload-\$1.out")" >&2; exit 1; }
echo "\$seconds 0.0.\$n"
UPLOAD
chmod +x "$work/upload.sh"

# After an upload to A: the snapshot names the index.yaml now served (hash and size), that index lists the version
# just uploaded, and its content-addressed copy is served byte for byte.
snapshot_names_new_index() { # VERSION
  local snap want got size
  snap="$(curl -sf --max-time 10 "${url[a]}/snapshot.yaml.asc")"
  want="$(sed -n 's/^  index\.yaml: sha256:\([0-9a-f]\{64\}\) \([0-9]*\)$/\1 \2/p' <<<"$snap")"
  curl -sf --max-time 10 -o "$work/check-index.yaml" "${url[a]}/index.yaml"
  size="$(stat -c %s "$work/check-index.yaml")"
  got="$(sha256sum "$work/check-index.yaml" | cut -d' ' -f1) $size"
  [[ -n $want && $want == "$got" ]] || { echo "snapshot names '$want', index.yaml is '$got'" >&2; return 1; }
  grep -q "^    version: $1\$" "$work/check-index.yaml" || { echo "index.yaml does not list hello $1" >&2; return 1; }
  curl -sf --max-time 10 "${url[a]}/index.sha256-${want%% *}.yaml" | cmp -s - "$work/check-index.yaml" \
    || { echo "index.sha256-${want%% *}.yaml is not that index" >&2; return 1; }
}

stats() { # reads seconds, one a line; prints "median mean min p90 max" in ms
  python3 -c '
import sys, statistics
t = sorted(float(l) * 1000 for l in sys.stdin if l.strip())
p90 = t[max(0, int(round(len(t) * 0.9)) - 1)]
print("%.1f %.1f %.1f %.1f %.1f" % (statistics.median(t), statistics.mean(t), t[0], p90, t[-1]))'
}
run_hyperfine() { # hyperfine ARGS..., its output shown only when it fails (a command that failed, say)
  hyperfine "$@" >"$work/hyperfine.log" 2>&1 || { echo "hyperfine $*: failed" >&2; cat "$work/hyperfine.log" >&2; exit 1; }
}
# interleave VARIANT...: ROUNDS rounds of `variant_NAME JSON` for each, the order turning each round.
interleave() {
  local round i n=$# variants=("$@")
  for round in $(seq "$ROUNDS"); do
    for i in $(seq 0 $((n - 1))); do
      local v="${variants[$(( (i + round - 1) % n ))]}"
      "variant_$v" "$work/hf-$v-$round.json"
    done
  done
}
pooled_ms() { # VARIANT: its rounds pooled; prints "mean median min stddev user system" in ms (CPU: per run)
  python3 -c '
import glob, json, statistics, sys
rs = [json.load(open(f))["results"][0] for f in sorted(glob.glob(sys.argv[1]))]
t = [x * 1000 for r in rs for x in r["times"]]
n = sum(len(r["times"]) for r in rs)
user = sum(r["user"] * len(r["times"]) for r in rs) / n * 1000
system = sum(r["system"] * len(r["times"]) for r in rs) / n * 1000
print("%.1f %.1f %.1f %.1f %.1f %.1f" % (statistics.mean(t), statistics.median(t), min(t), statistics.stdev(t) if len(t) > 1 else 0, user, system))' "$work/hf-$1-*.json"
}
cpu_ms() { # PID: its user + system CPU time so far, in ms
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"
}

echo
echo "== 1a. POST /api/charts (chart + .prov) until 201: $RUNS uploads to each server, alternating (after 3 warm-up uploads each)"
for _ in 1 2 3; do "$work/upload.sh" a >/dev/null; "$work/upload.sh" b >/dev/null; done
: > "$work/times-a"; : > "$work/times-b"
cpu_a0="$(cpu_ms "${pids[0]}")"; cpu_b0="$(cpu_ms "${pids[1]}")"
fresh=0
for i in $(seq "$RUNS"); do
  order=(a b); (( i % 2 == 0 )) && order=(b a)
  for s in "${order[@]}"; do
    out="$("$work/upload.sh" "$s")"
    read -r seconds version <<<"$out"
    echo "$seconds" >> "$work/times-$s"
    if [[ $s == a ]]; then snapshot_names_new_index "$version" && fresh=$((fresh + 1)); fi
  done
done
# Server CPU per upload (load-independent, unlike the wall clock): the whole process, A's snapshot timer included.
cpu_a="$(awk -v a="$cpu_a0" -v b="$(cpu_ms "${pids[0]}")" -v n="$RUNS" 'BEGIN{printf "%.1f", (b - a) / n}')"
cpu_b="$(awk -v a="$cpu_b0" -v b="$(cpu_ms "${pids[1]}")" -v n="$RUNS" 'BEGIN{printf "%.1f", (b - a) / n}')"
out="$(stats < "$work/times-a")"; read -r a_med a_mean a_min a_p90 a_max <<<"$out"
out="$(stats < "$work/times-b")"; read -r b_med b_mean b_min b_p90 b_max <<<"$out"
printf '%-40s median %6s ms  mean %6s  min %6s  p90 %6s  max %6s  (server CPU %s ms per upload)\n' "A: serve --index-key (signs before 201)" "$a_med" "$a_mean" "$a_min" "$a_p90" "$a_max" "$cpu_a"
printf '%-40s median %6s ms  mean %6s  min %6s  p90 %6s  max %6s  (server CPU %s ms per upload)\n' "B: serve, no index key" "$b_med" "$b_mean" "$b_min" "$b_p90" "$b_max" "$cpu_b"
echo "A's snapshot.yaml.asc named the new index.yaml right after the 201 (hash, size, version listed, content-addressed copy served): $fresh of $RUNS uploads"
signed="$(grep -c 'signed index snapshot' "$work/serve-a.log" || true)"
echo "A's log: $signed snapshots signed since start (1 at start if due, 1 per upload; the 5-second timer signs only when one is due)"

echo
echo "== 1b. chartseal index sign alone on the $N-chart folder (hyperfine, whole process; $ROUNDS rounds of $SIGN_RUNS runs, order turning)"
# The same three steps by hand, with gpg: hash, copy under the hash's name, clear-sign a body naming it.
gpg --batch --quiet --import "$work/idx.sec.asc" 2>/dev/null
cat > "$work/by-hand.sh" <<'HAND'
#!/bin/sh
set -eu
cd "$1"
set -- $(sha256sum index.yaml)
cp index.yaml "index.sha256-$1.yaml.tmp" && mv "index.sha256-$1.yaml.tmp" "index.sha256-$1.yaml"
printf 'files:\n  index.yaml: sha256:%s %s\n' "$1" "$(stat -c %s index.yaml)" \
  | gpg --batch --yes --quiet --local-user index@bench.invalid --clearsign -o snapshot-by-hand.yaml.asc
HAND
chmod +x "$work/by-hand.sh"
# "changed": a comment line appended to index.yaml before each run: a new hash, so the content-addressed copy is written.
change_index="sh -c 'date +\"# %s%N\" >> $work/repo-s/index.yaml'"
sign="$cli index sign $work/repo-s --key index@bench.invalid --keyring $work/idx.sec.asc"
variant_sign_same() { run_hyperfine -N --warmup 2 --runs "$SIGN_RUNS" --export-json "$1" "$sign"; }
variant_sign_changed() { run_hyperfine -N --warmup 2 --runs "$SIGN_RUNS" --export-json "$1" --prepare "$change_index" "$sign"; }
variant_sign_hand() { run_hyperfine -N --warmup 2 --runs "$SIGN_RUNS" --export-json "$1" --prepare "$change_index" "$work/by-hand.sh $work/repo-s"; }
interleave sign_same sign_changed sign_hand
out="$(pooled_ms sign_same)"; read -r s_mean s_med s_min s_sd s_user s_sys <<<"$out"
out="$(pooled_ms sign_changed)"; read -r c_mean c_med c_min c_sd c_user c_sys <<<"$out"
out="$(pooled_ms sign_hand)"; read -r h_mean h_med h_min h_sd h_user h_sys <<<"$out"
printf '%-52s mean %6s ms  median %6s  min %6s  (CPU %s user + %s system)\n' "index sign, index.yaml unchanged" "$s_mean" "$s_med" "$s_min" "$s_user" "$s_sys"
printf '%-52s mean %6s ms  median %6s  min %6s  (CPU %s user + %s system)\n' "index sign, index.yaml changed (copy written)" "$c_mean" "$c_med" "$c_min" "$c_user" "$c_sys"
printf '%-52s mean %6s ms  median %6s  min %6s  (CPU %s user + %s system)\n' "by hand: sha256sum + cp + gpg --clearsign (changed)" "$h_mean" "$h_med" "$h_min" "$h_user" "$h_sys"

echo
echo "== 2. the client: chartseal repo update NAME (NativeAOT, whole process; $ROUNDS rounds, order turning), A's trust names an index key, B's none"
# Separate homes: both repositories have the same root, and A's trust version is one ahead of B's (rollback state is per root).
for s in a b; do
  mkdir -p "$work/home-$s"
  CHARTSEAL_HOME="$work/home-$s" "$cli" repo add "bench-$s" "${url[$s]}" --root-fingerprint "$fpr" --insecure-http >/dev/null
  CHARTSEAL_HOME="$work/home-$s" "$cli" repo update "bench-$s" >/dev/null
done
update() { echo "$cli repo update bench-$1 --timeout 60s"; }
variant_same_a() { CHARTSEAL_HOME="$work/home-a" run_hyperfine -N --warmup 2 --runs "$UPDATE_RUNS" --export-json "$1" "$(update a)"; }
variant_same_b() { CHARTSEAL_HOME="$work/home-b" run_hyperfine -N --warmup 2 --runs "$UPDATE_RUNS" --export-json "$1" "$(update b)"; }
# "changed": an upload to that server before each run (not timed), so each run fetches the new index.
variant_changed_a() { CHARTSEAL_HOME="$work/home-a" run_hyperfine -N --warmup 1 --runs "$CHANGED_RUNS" --export-json "$1" --prepare "$work/upload.sh a" "$(update a)"; }
variant_changed_b() { CHARTSEAL_HOME="$work/home-b" run_hyperfine -N --warmup 1 --runs "$CHANGED_RUNS" --export-json "$1" --prepare "$work/upload.sh b" "$(update b)"; }
interleave same_a same_b
interleave changed_a changed_b
# Bytes: the same commands once more through a forwarding proxy that logs each answer's body size on the wire.
cat > "$work/proxy.py" <<'PROXY'
import http.client, http.server, sys
host, port, portfile, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self): self.forward()
    def do_HEAD(self): self.forward()
    def forward(self):
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        upstream = http.client.HTTPConnection(host, port, timeout=30)
        upstream.request(self.command, self.path, headers=headers)
        answer = upstream.getresponse()
        body = answer.read()   # the bytes as sent (still gzip-compressed when the server compressed them)
        self.send_response_only(answer.status)
        for k, v in answer.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        with open(log, "a") as f:
            f.write("%s %s %d %d %s\n" % (self.command, self.path, answer.status, len(body), answer.getheader("Content-Encoding") or "-"))
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
open(portfile, "w").write(str(server.server_address[1]))
server.serve_forever()
PROXY
declare -A bytes_same bytes_changed
for s in a b; do
  p="${url[$s]##*:}"
  python3 "$work/proxy.py" 127.0.0.1 "$p" "$work/proxy-$s.port" "$work/proxy-$s.log" &
  pids+=($!)
  for _ in $(seq 100); do [[ -s $work/proxy-$s.port ]] && break; sleep 0.1; done
  proxied="http://127.0.0.1:$(cat "$work/proxy-$s.port")"
  export CHARTSEAL_HOME="$work/home-$s"
  "$cli" repo add "counted-$s" "$proxied" --root-fingerprint "$fpr" --insecure-http >/dev/null
  "$cli" repo update "counted-$s" >/dev/null
  : > "$work/proxy-$s.log"
  "$cli" repo update "counted-$s" >/dev/null
  cp "$work/proxy-$s.log" "$work/requests-same-$s"
  "$work/upload.sh" "$s" >/dev/null
  : > "$work/proxy-$s.log"
  "$cli" repo update "counted-$s" >/dev/null
  cp "$work/proxy-$s.log" "$work/requests-changed-$s"
  bytes_same[$s]="$(awk '{n += $4} END {print n + 0}' "$work/requests-same-$s")"
  bytes_changed[$s]="$(awk '{n += $4} END {print n + 0}' "$work/requests-changed-$s")"
done
export CHARTSEAL_HOME="$work/home"
for kind in same changed; do
  for s in a b; do
    echo "-- requests of one repo update, $( [[ $kind == same ]] && echo "nothing changed" || echo "after an upload"), $( [[ $s == a ]] && echo "A (index key)" || echo "B (no index key)"): METHOD PATH STATUS BODY-BYTES ENCODING"
    sed 's/^/   /' "$work/requests-$kind-$s"
  done
done
# The server's side of a changed index: B gzips the new index.yaml once per version, on its first request (the client
# waits for it); A serves the content-addressed copy as a static file, not compressed.
ms_get() { curl -s --max-time 30 "$@" -o /dev/null -w '%{time_total} %{size_download}\n' | awk '{printf "%.1f ms, %d bytes", $1 * 1000, $2}'; }
"$work/upload.sh" b >/dev/null
get_b1="$(ms_get --compressed "${url[b]}/index.yaml")"; get_b2="$(ms_get --compressed "${url[b]}/index.yaml")"
"$work/upload.sh" a >/dev/null
addressed="index.sha256-$(curl -sf --max-time 10 "${url[a]}/snapshot.yaml.asc" | sed -n 's/^  index\.yaml: sha256:\([0-9a-f]\{64\}\) .*/\1/p').yaml"
get_a1="$(ms_get --compressed "${url[a]}/$addressed")"; get_a2="$(ms_get --compressed "${url[a]}/$addressed")"
echo "-- one GET (curl --compressed) right after an upload, then the same again:"
echo "   B /index.yaml: $get_b1; again $get_b2"
echo "   A /index.sha256-….yaml: $get_a1; again $get_a2"
out="$(pooled_ms same_a)"; read -r ua_mean ua_med ua_min ua_sd ua_user ua_sys <<<"$out"
out="$(pooled_ms same_b)"; read -r ub_mean ub_med ub_min ub_sd ub_user ub_sys <<<"$out"
out="$(pooled_ms changed_a)"; read -r ca_mean ca_med ca_min ca_sd ca_user ca_sys <<<"$out"
out="$(pooled_ms changed_b)"; read -r cb_mean cb_med cb_min cb_sd cb_user cb_sys <<<"$out"
row() { printf '%-44s mean %7s ms  median %7s  min %7s  ± %6s  (CPU %s user + %s system)  %9s bytes\n' "$@"; }
row "nothing changed, A (index key)" "$ua_mean" "$ua_med" "$ua_min" "$ua_sd" "$ua_user" "$ua_sys" "${bytes_same[a]}"
row "nothing changed, B (no index key)" "$ub_mean" "$ub_med" "$ub_min" "$ub_sd" "$ub_user" "$ub_sys" "${bytes_same[b]}"
row "after an upload, A (index key)" "$ca_mean" "$ca_med" "$ca_min" "$ca_sd" "$ca_user" "$ca_sys" "${bytes_changed[a]}"
row "after an upload, B (no index key)" "$cb_mean" "$cb_med" "$cb_min" "$cb_sd" "$cb_user" "$cb_sys" "${bytes_changed[b]}"

diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.1f", a - b}'; }
echo
echo "== result: $N chart versions (no target in the issue: information; load average now $(load))"
printf 'upload to 201, the cost of signing the snapshot:  %s ms median (%s vs %s), %s ms mean (%s vs %s)\n' \
  "$(diff_ms "$a_med" "$b_med")" "$a_med" "$b_med" "$(diff_ms "$a_mean" "$b_mean")" "$a_mean" "$b_mean"
printf 'upload, server CPU per upload:                    %s ms (%s vs %s)\n' "$(diff_ms "$cpu_a" "$cpu_b")" "$cpu_a" "$cpu_b"
echo "snapshot fresh at the 201:                        $fresh of $RUNS uploads"
printf 'index sign alone:                                 %s ms unchanged, %s ms changed (by hand with gpg: %s ms), means\n' "$s_mean" "$c_mean" "$h_mean"
cpu() { awk -v u="$1" -v s="$2" 'BEGIN{printf "%.1f", u + s}'; }
printf 'repo update, nothing changed, index key extra:    %s ms mean (%s vs %s), %s ms median, %s ms CPU (%s vs %s); %+d bytes (%s vs %s)\n' \
  "$(diff_ms "$ua_mean" "$ub_mean")" "$ua_mean" "$ub_mean" "$(diff_ms "$ua_med" "$ub_med")" \
  "$(diff_ms "$(cpu "$ua_user" "$ua_sys")" "$(cpu "$ub_user" "$ub_sys")")" "$(cpu "$ua_user" "$ua_sys")" "$(cpu "$ub_user" "$ub_sys")" \
  "$((bytes_same[a] - bytes_same[b]))" "${bytes_same[a]}" "${bytes_same[b]}"
printf 'repo update, index changed, index key extra:      %s ms mean (%s vs %s), %s ms median, %s ms CPU (%s vs %s); %+d bytes (%s vs %s)\n' \
  "$(diff_ms "$ca_mean" "$cb_mean")" "$ca_mean" "$cb_mean" "$(diff_ms "$ca_med" "$cb_med")" \
  "$(diff_ms "$(cpu "$ca_user" "$ca_sys")" "$(cpu "$cb_user" "$cb_sys")")" "$(cpu "$ca_user" "$ca_sys")" "$(cpu "$cb_user" "$cb_sys")" \
  "$((bytes_changed[a] - bytes_changed[b]))" "${bytes_changed[a]}" "${bytes_changed[b]}"
