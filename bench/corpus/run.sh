#!/usr/bin/env bash
# Corpus harness: builds ficus and the scorer in release mode, runs `ficus analyze` and
# `ficus plan` on every application of ../shared/corpus (or those named) and prints one table
# scored against ../shared/corpus/truth. See bench/corpus/README.md.
#
#   CORPUS_TREES=/path/to/trees bench/corpus/run.sh [APP...]
#
# CORPUS_TREES is the DEST that ../shared/corpus/prepare.sh laid the trees out in.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

corpus="${CORPUS_DIR:-../shared/corpus}"
: "${CORPUS_TREES:?set CORPUS_TREES to the folder prepare.sh laid the trees out in}"
if [ ! -x /usr/bin/time ]; then
    echo "installing Debian's time (for peak memory)" >&2
    apt-get install -y time >/dev/null
fi
cargo build --release --locked -p ficus -p ficus-corpus-bench >&2
exec target/release/ficus-corpus-bench --corpus "$corpus" --trees "$CORPUS_TREES" \
    --ficus target/release/ficus --out "${CORPUS_OUT:-target/corpus-bench}" "$@"
