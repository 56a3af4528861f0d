# Sourced by ./chartseal (POSIX sh) when the CLI is missing or older than its sources: publishes the NativeAOT CLI and the
# server into $out under a lock, and records what the up-to-date check watches in $out/.sources.sh.
# Expects: root (the checkout) and out ($root/artifacts/cli).
mkdir -p "$out"
(
  flock 9
  if ! { [ -x "$out/Chartseal.Cli" ] && [ -x "$out/Chartseal.Server" ] && [ -f "$out/.built" ] && [ -f "$out/.sources.sh" ] \
         && . "$out/.sources.sh" && ! sources_newer_than "$out/.built" "$root"; }; then
    echo "chartseal: building the CLI (Release)..." >&2
    # The build makes bin/ and obj/ beside each project; made first, they do not make the folders newer than the stamp
    # (on a fresh clone the first command would otherwise build twice).
    for project in "$root"/src/*/; do mkdir -p "$project/bin" "$project/obj"; done
    touch "$out/.building"
    # What the check watches: every source file and every folder holding one (bin/ and obj/ excluded), relative to the
    # checkout, single-quoted for the shell, in one test expression (a loop of tests took twice as long in dash).
    {
      echo 'sources_newer_than() {'
      echo '  [ \'
      { find "$root/src" \( -name obj -o -name bin \) -prune -o \( -type d -print \) -o \
          \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -print
        printf '%s\n' "$root/Directory.Build.props" "$root/Directory.Packages.props"
      } | sed "s|^$root/||; s/'/'\\\\''/g; s/^/    -o \"\$2\"\/'/; s/\$/' -nt \"\$1\" \\\\/; 1s/^    -o /    /"
      echo '  ]'
      echo '}'
    } > "$out/.sources.sh.new"
    dotnet publish "$root/src/Chartseal.Cli/Chartseal.Cli.csproj" -c Release -o "$out" --nologo -v quiet >&2
    # `chartseal serve` runs the server program beside the CLI (a separate binary: see docs/architecture.md).
    dotnet publish "$root/src/Chartseal.Server/Chartseal.Server.csproj" -c Release -o "$out" --nologo -v quiet >&2
    mv "$out/.sources.sh.new" "$out/.sources.sh"
    mv "$out/.building" "$out/.built"
  fi
) 9>"$out/.lock"
