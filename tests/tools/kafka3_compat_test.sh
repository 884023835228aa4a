#!/usr/bin/env bash
# kafka3_compat_test.sh RAW-PRODUCE-TEST-BINARY
# The codec tests against the newest Kafka 3.x release (tools/kafka/compat-version),
# on a broker of its own: ringkafka negotiates versions with 3.x as with 4.x.
set -euo pipefail
bin=$1
kl=${RINGKAFKA_KAFKA_LOCAL:?}
version=$(<"$(dirname "$kl")/kafka/compat-version")
dir=$(mktemp -d)/kafka3
trap 'RINGKAFKA_KAFKA_VERSION=$version "$kl" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$(dirname "$dir")"' EXIT
bootstrap=$(RINGKAFKA_KAFKA_VERSION=$version "$kl" start --dir "$dir")
echo "Kafka $version at $bootstrap"
RINGKAFKA_BOOTSTRAP=$bootstrap "$bin"
