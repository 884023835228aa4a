#!/usr/bin/env bash
# run_fuzzer.sh TARGET SEED-CORPUS SECONDS
# Runs a libFuzzer target for SECONDS over a scratch copy of its seed corpus;
# exits non-zero on any crash or sanitizer report.
set -euo pipefail
target=$(realpath "$1") seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
cd "$work"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus 2>&1 | tail -n 25
exit "${PIPESTATUS[0]}"
