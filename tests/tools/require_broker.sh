# require_broker.sh, sourced by the shell tests that need the real broker.
# Sets `bootstrap` to $RINGKAFKA_BOOTSTRAP, else what `tools/kafka-local
# status` reports ($kafka_local must be set).  With none reachable it
# skips the test (77) on a developer's machine and fails it when CI is set,
# as the GoogleTest integration tests do (RINGKAFKA_REQUIRE_BROKER).
bootstrap=${RINGKAFKA_BOOTSTRAP:-$("$kafka_local" status 2>/dev/null | head -n 1)}
if [[ -z $bootstrap ]] || ! kcat -L -b "$bootstrap" -m 5 >/dev/null 2>&1; then
  if [[ -n ${CI:-} ]]; then
    echo "CI is set but no Kafka broker is reachable: integration tests need tools/test"
    exit 1
  fi
  echo "SKIPPED: no Kafka broker reachable; start one with tools/kafka-local start or run tools/test"
  exit 77
fi
