#!/usr/bin/env bash
# no_broker_test.sh INTEGRATION-TEST-BINARY
# With no reachable broker an integration test skips, with a reason, on a
# developer's machine, and fails when CI is set: CI can never pass by
# skipping the real-broker tests.
set -uo pipefail
bin=$1
unreachable=127.0.0.1:9   # discard port: nothing listens there

out=$(env -u CI RINGKAFKA_BOOTSTRAP=$unreachable "$bin" 2>&1); status=$?
if [[ $status -ne 0 ]] || ! grep -q 'SKIPPED' <<<"$out" || ! grep -q 'no Kafka broker reachable' <<<"$out"; then
  echo "FAIL without CI: want a skip with a reason, got exit $status:"; echo "$out" | tail -n 20; exit 1
fi
out=$(env CI=true RINGKAFKA_BOOTSTRAP=$unreachable "$bin" 2>&1); status=$?
if [[ $status -eq 0 ]] || ! grep -q 'CI is set but no Kafka broker is reachable' <<<"$out"; then
  echo "FAIL with CI set: want a failure naming the missing broker, got exit $status:"
  echo "$out" | tail -n 20; exit 1
fi
echo "2 passed, 0 failed"
