#!/usr/bin/env bash
# The whole story on one machine, in a temporary folder: a root key and a maintainer key, the repository's
# trust material, a signed chart uploaded to `chartseal serve`, and an untrusted upload refused.
# Usage: examples/demo-server.sh [PORT]   (default: a free port the system picks)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${1:-0}"
cs="$root/chartseal"
work="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-demo.XXXXXX")"
server=""
trap '[[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export CHARTSEAL_HOME="$work/home"
cd "$work"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

"$cs" --help >/dev/null   # builds the CLI on first use
step "$cs" key generate --name "Root <root@example.com>" --out root --expires 0
step "$cs" key generate --name "Jane <jane@example.com>" --out jane --algorithm ed25519 --expires 1y
step "$cs" key generate --name "Mallory <mallory@example.com>" --out mallory --expires 0
step "$cs" trust init repo --root-key root@example.com --root-keyring root.sec.asc
fpr="$("$cs" trust show repo --output json | python3 -c 'import json,sys; print(json.load(sys.stdin)["root"])' 2>/dev/null || true)"
step "$cs" trust add repo jane.pub.asc --root-key root@example.com --root-keyring root.sec.asc
step "$cs" package "$root/examples/hello" -d . --sign --key jane@example.com --keyring jane.sec.asc
head -c 24 /dev/urandom | base64 > tokens
"$cs" serve repo --listen "http://127.0.0.1:$port" --upload-token-file tokens ${fpr:+--root-fingerprint "$fpr"} >server.log 2>server.err &
server=$!
# The banner names the address the server really listens on (port 0 = a free one).
url=""
for _ in $(seq 300); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "demo-server: the server exited:" >&2; cat server.err >&2; server=""; exit 1
  fi
  url="$(sed -n 's#^Serving .* at \(http://[^ ]*\)/index.yaml$#\1#p' server.err | head -n 1)"
  [[ -n $url ]] && curl -sf "$url/health" >/dev/null && break
  url=""; sleep 0.1
done
[[ -n $url ]] || { echo "demo-server: the server did not answer within 30 s" >&2; cat server.err >&2; exit 1; }
cat server.err
token="$(cat tokens)"
step curl -s -H "Authorization: Bearer $token" -F chart=@hello-0.1.0.tgz -F prov=@hello-0.1.0.tgz.prov "$url/api/charts"
echo
step curl -s "$url/index.yaml"
# Mallory is not in the repository's keys: her signature is valid, the upload is still refused.
"$cs" sign hello-0.1.0.tgz --key mallory@example.com --keyring mallory.sec.asc >/dev/null
step curl -s -H "Authorization: Bearer $token" -F chart=@hello-0.1.0.tgz -F prov=@hello-0.1.0.tgz.prov "$url/api/charts"
echo
kill -0 "$server" 2>/dev/null || { echo "demo-server: the server died during the demo" >&2; server=""; exit 1; }
echo
echo "Server log (JSON):"
cat server.log | grep -E '"EventId":1[0-9]' || true
