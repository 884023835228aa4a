#!/usr/bin/env bash
# kafka3_compat_test.sh RAW-PRODUCE-TEST-BINARY TRANSACTIONS-TEST-BINARY
# Against the newest Kafka 3.x release (tools/kafka/compat-version), on a
# broker of its own: the codec tests (ringkafka negotiates versions with 3.x
# as with 4.x) and the transaction tests on the first transaction protocol
# (transaction.version 1, all 3.x has), read back by kcat.
set -euo pipefail
raw=$1
txn=$2
# What the protocol version changes; the broker's own behaviour (the last
# stable offset, fetches, its timeout scan) is the same
# on every version and checked on 4.3.1.  RINGKAFKA_COMPAT_ALL=1 runs all.
txn_filter=(--gtest_filter='-*LastStableOffset*:*LargerThanAFetch*:*PastItsTimeout*')
[[ -n ${RINGKAFKA_COMPAT_ALL:-} ]] && txn_filter=()
kl=${RINGKAFKA_KAFKA_LOCAL:?}
version=$(<"$(dirname "$kl")/kafka/compat-version")
dir=$(mktemp -d)/kafka3
trap 'RINGKAFKA_KAFKA_VERSION=$version "$kl" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$(dirname "$dir")"' EXIT
bootstrap=$(RINGKAFKA_KAFKA_VERSION=$version "$kl" start --dir "$dir" \
  --broker-config transaction.abort.timed.out.transaction.cleanup.interval.ms=1000)
echo "Kafka $version at $bootstrap"
RINGKAFKA_BOOTSTRAP=$bootstrap "$raw"
RINGKAFKA_BOOTSTRAP=$bootstrap RINGKAFKA_KAFKA_DIR=$dir RINGKAFKA_KAFKA_VERSION=$version \
  RINGKAFKA_TRANSACTION_VERSION=1 "$txn" "${txn_filter[@]}"
