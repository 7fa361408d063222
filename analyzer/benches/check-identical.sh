#!/usr/bin/env bash
# Checks that `ficus analyze` still produces byte-identical JSON on the corpus and the fixtures.
#
#   analyzer/benches/check-identical.sh save   [CORPUS]   # record the baseline
#   analyzer/benches/check-identical.sh check  [CORPUS]   # compare against it (default)
#
# CORPUS defaults to ~/.cargo/registry/src; it may grow as other builds download crates, so
# a frozen copy (cp -a ~/.cargo/registry/src /some/where) gives a stable baseline. Outputs go
# to $BASELINE_DIR (default target/identical-baseline) so the large corpus output stays out
# of git. Uses the release binary `$CARGO_TARGET_DIR/release/ficus` (build it first with
# `cargo build --release`). Runs are --deterministic (elapsed time zeroed) and --no-report.
set -euo pipefail

mode="${1:-check}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="${2:-${CARGO_HOME:-$HOME/.cargo}/registry/src}"
target="${CARGO_TARGET_DIR:-$repo/target}"
ficus="$target/release/ficus"
baseline="${BASELINE_DIR:-$target/identical-baseline}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

[ -x "$ficus" ] || { echo "no $ficus: run cargo build --release first" >&2; exit 2; }
mkdir -p "$baseline"

# name, folder, extra flags
cases=()
for fixture in "$repo"/analyzer/tests/fixtures/*/; do
    name="fixture-$(basename "$fixture")"
    cases+=("$name|$fixture|")
    cases+=("$name-items|$fixture|--granularity item --all-targets")
done
cases+=("shop-monolith|$repo/examples/shop-monolith|")
cases+=("shop-monolith-items|$repo/examples/shop-monolith|--granularity item --all-targets")
cases+=("corpus|$corpus|")

status=0
for case in "${cases[@]}"; do
    IFS='|' read -r name folder flags <<<"$case"
    out="$scratch/$name.json"
    # shellcheck disable=SC2086 # flags are words
    "$ficus" analyze --format json --deterministic --no-report -q $flags "$folder" >"$out"
    if [ "$mode" = save ]; then
        cp "$out" "$baseline/$name.json"
        echo "saved $name ($(wc -c <"$out") bytes)"
    elif cmp -s "$out" "$baseline/$name.json"; then
        echo "same  $name"
    else
        echo "DIFF  $name" >&2
        diff <(tr ',' '\n' <"$baseline/$name.json") <(tr ',' '\n' <"$out") | head -20 >&2 || true
        status=1
    fi
done
exit "$status"
