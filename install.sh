#!/bin/sh
# Installs chartseal for users who want the binary itself (no wrapper, no .NET SDK at run time): publishes the NativeAOT
# CLI and server from this checkout and puts them in PREFIX/lib/chartseal, with PREFIX/bin/chartseal linking to the CLI.
# Usage: ./install.sh [PREFIX]        (default: $HOME/.local; PREFIX/bin should be on your PATH)
#        PREFIX=/usr/local ./install.sh
# Needs what the first ./chartseal call needs: the .NET 10 SDK, clang or gcc, and zlib (docs/user-guide.md).
set -eu
root="$(cd "$(dirname "$0")" && pwd)"
prefix="${1:-${PREFIX:-$HOME/.local}}"
lib="$prefix/lib/chartseal"
stage="$(mktemp -d "${TMPDIR:-/tmp}/chartseal-install.XXXXXX")"
trap 'rm -rf "$stage"' EXIT INT TERM
echo "chartseal: building the CLI and the server (Release, NativeAOT)..." >&2
dotnet publish "$root/src/Chartseal.Cli/Chartseal.Cli.csproj" -c Release -o "$stage" --nologo -v quiet >&2
dotnet publish "$root/src/Chartseal.Server/Chartseal.Server.csproj" -c Release -o "$stage" --nologo -v quiet >&2
mkdir -p "$lib" "$prefix/bin"
# The programs and what they load at run time (libsodium, beside them); no debug symbols, docs or .pdb files.
for file in Chartseal.Cli Chartseal.Server libsodium.so; do
  install -m 755 "$stage/$file" "$lib/$file.new"
  mv -f "$lib/$file.new" "$lib/$file"
done
ln -sfn "../lib/chartseal/Chartseal.Cli" "$prefix/bin/chartseal"
echo "installed $("$prefix/bin/chartseal" --version) in $lib; $prefix/bin/chartseal runs it" >&2
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on your PATH" >&2 ;; esac
