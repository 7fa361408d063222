#!/usr/bin/env bash
# run.sh: fuzzes the route table for a bounded time per target, with cargo-fuzz (libFuzzer).
#
#   strangler-proxy/fuzz/run.sh                          # every target, 60 s each
#   FUZZ_SECONDS=600 strangler-proxy/fuzz/run.sh route_table_match
#
# Env: FUZZ_SECONDS (per target, default 60), FUZZ_SANITIZER (address, the default, or none),
# FUZZ_TARGET_DIR (default: fuzz/target). Installs cargo-fuzz with `cargo install --locked`
# when missing. Only a stable toolchain exists here, so the -Z flags cargo-fuzz passes to rustc
# are unlocked with RUSTC_BOOTSTRAP=1 (a stable compiler then accepts unstable flags).
# New corpus entries go to corpus/TARGET/ (git ignores all but the seed-* files); a crash
# leaves its input in artifacts/TARGET/ and makes this script exit 1 after the other targets.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-address}"
target_dir="${FUZZ_TARGET_DIR:-$here/target}"
all_targets=(route_table_config route_table_match)
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=("${all_targets[@]}")
fi

case "$seconds" in
    '' | *[!0-9]*)
        echo "run.sh: FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2
        exit 1
        ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; installing it (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
if ! rustc -Z unstable-options --print sysroot >/dev/null 2>&1; then
    echo "run.sh: this rustc ($(rustc --version)) rejects -Z flags even with RUSTC_BOOTSTRAP=1;" >&2
    echo "run.sh: cargo-fuzz needs them (sanitizer coverage), so fuzzing cannot run here" >&2
    exit 1
fi

build_args=(--sanitizer "$sanitizer" --target-dir "$target_dir")
echo "== building fuzz targets ($(rustc --version), RUSTC_BOOTSTRAP=1, sanitizer $sanitizer)"
if ! cargo fuzz build "${build_args[@]}"; then
    echo "run.sh: cargo fuzz build failed; see the output above" >&2
    exit 1
fi

failed=()
for target in "${targets[@]}"; do
    corpus="corpus/$target"
    mkdir -p "$corpus"
    libfuzzer_args=("-max_total_time=$seconds" -print_final_stats=1)
    if [ -f "$target.dict" ]; then
        libfuzzer_args+=("-dict=$target.dict")
    fi
    echo "== fuzzing $target for ${seconds}s (corpus: $corpus)"
    if ! cargo fuzz run "${build_args[@]}" "$target" "$corpus" -- "${libfuzzer_args[@]}"; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "run.sh: crashes or failures in: ${failed[*]} (inputs under $here/artifacts/)" >&2
    exit 1
fi
echo "run.sh: no crash in ${targets[*]} (${seconds}s each)"
