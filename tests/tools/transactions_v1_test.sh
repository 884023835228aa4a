#!/usr/bin/env bash
# transactions_v1_test.sh TRANSACTIONS-TEST-BINARY
# The transaction tests against Kafka 4.x formatted with
# transaction.version=1, on a broker of its own: a 4.x broker still offers
# Produce v12 and EndTxn v5 there, and ringkafka must not use them inside
# a transaction (the coordinator's finalized feature decides).
set -euo pipefail
txn=$1
kl=${RINGKAFKA_KAFKA_LOCAL:?}
dir=$(mktemp -d)/kafka-tv1
trap '"$kl" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$(dirname "$dir")"' EXIT
bootstrap=$("$kl" start --dir "$dir" --feature transaction.version=1 \
  --broker-config transaction.abort.timed.out.transaction.cleanup.interval.ms=1000)
echo "Kafka (transaction.version 1) at $bootstrap"
RINGKAFKA_BOOTSTRAP=$bootstrap RINGKAFKA_KAFKA_DIR=$dir RINGKAFKA_TRANSACTION_VERSION=1 "$txn"
