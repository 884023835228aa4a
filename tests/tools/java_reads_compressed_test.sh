#!/usr/bin/env bash
# java_reads_compressed_test.sh WRITER VERIFY
# The Java client reads what ringkafka writes: WRITER prints our compressed
# batches (every codec, several levels), VERIFY (tools/golden/verify) has
# kafka-clients parse and check each.  Without Java or Maven this skips on a
# developer's machine and fails when CI is set, like the broker tests.
set -uo pipefail
writer=$1 verify=$2
if ! command -v java >/dev/null || ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
  if [[ -n ${CI:-} ]]; then
    echo "FAIL: CI is set but Java or Maven is missing (tools/bootstrap installs them)"; exit 1
  fi
  echo "SKIP: no Java or Maven (tools/bootstrap installs them)"; exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$writer" >"$tmp/batches.txt" || { echo "FAIL: $writer exited $?"; exit 1; }
echo "$(grep -vc '^#' "$tmp/batches.txt") batches written"
"$verify" "$tmp/batches.txt"
