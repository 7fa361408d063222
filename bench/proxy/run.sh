#!/usr/bin/env bash
# run.sh: benchmarks `ficus proxy` next to NGINX and HAProxy with the shared harness.
#
#   bench/proxy/run.sh                                       # harness defaults, ~4 minutes
#   ROUNDS=10 DURATION=3 LAT_DURATION=2 bench/proxy/run.sh   # quote-grade ratios, ~6 minutes
#   bench/proxy/run.sh --keep --results /tmp/ficus.tsv       # extra args go to the harness
#   FICUS_BENCH_HEADERS=like-nginx bench/proxy/run.sh        # add only the harness NGINX's fields
#
# Steps: installs the tools (install-tools.sh), builds the release `ficus` binary, then runs
# the harness, `../shared/bench/proxy-bench.sh` beside the repository (FICUS_BENCH_HARNESS
# overrides the path), with the product `ficus proxy --config bench/proxy/ficus-bench.toml`
# on port 18092. Every other setting (ROUNDS, DURATION, LAT_DURATION, CONNECTIONS, ...) is
# read by the harness from the environment or from the arguments passed through.
# FICUS_BENCH_HEADERS=like-nginx runs the same table with `[headers]` turned down to the work
# the harness asks of NGINX and HAProxy (`X-Forwarded-For`; ours also sets `X-Forwarded-Proto`
# and `X-Forwarded-Host`): no `Forwarded`, `Via`, request id or `traceparent`, which the
# default configuration adds and they are not configured to.
# Exit status is the harness's: 0 ran, 1 setup failure, 2 failed requests during measurement.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
harness="${FICUS_BENCH_HARNESS:-$repo/../shared/bench/proxy-bench.sh}"
config="$repo/bench/proxy/ficus-bench.toml"
port=18092

if [ ! -f "$harness" ]; then
    echo "run.sh: benchmark harness not found at $harness" >&2
    echo "run.sh: it lives in shared/bench/ beside the repository; set FICUS_BENCH_HARNESS=/path/to/proxy-bench.sh" >&2
    exit 1
fi

bash "$here/install-tools.sh"

echo "run.sh: cargo build --release --locked --bin ficus"
(cd "$repo" && cargo build --release --locked --bin ficus)
binary="${CARGO_TARGET_DIR:-$repo/target}/release/ficus"
if ! "$binary" proxy --help >/dev/null 2>&1; then
    echo "run.sh: $binary has no working \`proxy\` subcommand, so there is nothing to measure" >&2
    exit 1
fi

case "${FICUS_BENCH_HEADERS:-default}" in
    default) ;;
    like-nginx)
        # Tables may follow the array of tables, so appending `[headers]` keeps the file valid.
        lean="$(mktemp --tmpdir ficus-bench-like-nginx.XXXXXX.toml)"
        trap 'rm -f "$lean"' EXIT
        { cat "$config"; printf '\n[headers]\nforwarded = false\nvia = false\nrequest_id = false\ntrace_context = false\n'; } >"$lean"
        config="$lean"
        ;;
    *)
        echo "run.sh: FICUS_BENCH_HEADERS is \`default\` or \`like-nginx\`, not \`$FICUS_BENCH_HEADERS\`" >&2
        exit 1
        ;;
esac

proxy_cmd="$(printf '%q proxy --config %q' "$binary" "$config")"
echo "run.sh: PROXY_CMD=$proxy_cmd"
PROXY_CMD="$proxy_cmd" PROXY_PORT="$port" PROXY_NAME="${PROXY_NAME:-ficus}" \
    bash "$harness" "$@"
