#!/usr/bin/env bash
# examples_test.sh EXAMPLES-DIR
# Each program in examples/ run as its README says, against the real broker,
# and what it wrote read back by kcat (a consumer we did not write):
# order-publisher (low_latency, the producing thread and the sender pinned), the
# telemetry firehose (throughput, lz4, two threads), zero-copy (reserve,
# commit, abandon), secure-producer (a client.properties file, SCRAM over
# TLS against the --security broker) and txn-relay (librdkafka's consumer,
# ringkafka's transactions; the output read read_committed, the group's
# offsets from Kafka's own tool).
# The broker: $RINGKAFKA_BOOTSTRAP, else `tools/kafka-local status`; none
# reachable: skip (77), or fail when CI is set.
set -uo pipefail
bin=$1
kafka_local=${RINGKAFKA_KAFKA_LOCAL:-tools/kafka-local}
# shellcheck source=../tools/require_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/require_broker.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; [[ -f ${2:-} ]] && tail -n 30 "$2"; }

new_topic() {  # new_topic NAME PARTITIONS [kafka-local args...]: creates and prints a unique topic
  local name=ex-$1-$$-$(date +%s%N) partitions=$2
  shift 2
  "$kafka_local" create-topic "$name" --partitions "$partitions" "$@" >"$work/create" 2>&1 ||
    { echo "create-topic $name failed:" >&2; cat "$work/create" >&2; return 1; }
  echo "$name"
}
count() {  # count BOOTSTRAP TOPIC [kcat args...]: records kcat reads
  local b=$1 t=$2
  shift 2
  timeout 60 kcat -C -b "$b" -t "$t" -e -q -f '%o\n' "$@" | wc -l
}
run() {  # run NAME WANT BOOTSTRAP TOPIC COMMAND...: runs it, then kcat must read WANT records
  local name=$1 want=$2 b=$3 t=$4
  shift 4
  if ! timeout 120 "$@" >"$work/$name.out" 2>&1; then fail "$name exited non-zero" "$work/$name.out"; return; fi
  local got
  got=$(count "$b" "$t")
  if [[ $got -eq $want ]]; then pass "$name: $(tail -n 1 "$work/$name.out"); kcat read $got"; else
    fail "$name: kcat read $got of $want" "$work/$name.out"; fi
}

t=$(new_topic orders 4 --bootstrap "$bootstrap") &&
  run order-publisher 2000 "$bootstrap" "$t" "$bin/order-publisher" "$bootstrap" "$t" 2000 10000 0 1
t=$(new_topic telemetry 2 --bootstrap "$bootstrap") &&
  run telemetry-firehose 50000 "$bootstrap" "$t" "$bin/telemetry-firehose" "$bootstrap" "$t" 50000 2
# Every 100th quote is crossed and abandoned: 500 reserved, 495 sent.
t=$(new_topic quotes 2 --bootstrap "$bootstrap") &&
  run zero-copy 495 "$bootstrap" "$t" "$bin/zero-copy" "$bootstrap" "$t" 500

# SCRAM-SHA-512 over TLS, from a properties file, on the --security broker.
if [[ -n ${RINGKAFKA_SECURITY_DIR:-} && -f $RINGKAFKA_SECURITY_DIR/listeners ]]; then
  sdir=$RINGKAFKA_SECURITY_DIR
  plain=$(head -n 1 "$sdir/bootstrap")
  sasl_ssl=$(awk '$1 == "SASL_SSL" {print $2}' "$sdir/listeners")
  pki=$(awk '$1 == "PKI" {print $2}' "$sdir/listeners")
  cat >"$work/client.properties" <<PROPS
# as a Java client's --producer.config would have it
bootstrap.servers=$sasl_ssl
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.username=alice
sasl.password=alice-secret
ssl.ca.location=$pki/ca.pem
PROPS
  t=$(new_topic secured 1 --bootstrap "$plain") &&
    run secure-producer 100 "$plain" "$t" "$bin/secure-producer" "$work/client.properties" "$t" 100
else
  fail "secure-producer: no --security broker (RINGKAFKA_SECURITY_DIR; tools/test starts one)"
fi

# consume-transform-produce: 300 records in, 300 upper-cased out, the
# group's offsets committed with them.
if [[ -x $bin/txn-relay ]]; then
  in=$(new_topic relay-in 3 --bootstrap "$bootstrap")
  out=$(new_topic relay-out 3 --bootstrap "$bootstrap")
  group=ex-group-$$-$(date +%s%N)
  seq 1 300 | sed 's/^/record-/' | kcat -P -b "$bootstrap" -t "$in" -K: 2>"$work/kcat-p" ||
    fail "txn-relay: kcat could not write the input" "$work/kcat-p"
  if timeout 180 "$bin/txn-relay" "$bootstrap" "$in" "$out" "$group" 300 >"$work/relay.out" 2>&1; then
    upper=$(timeout 60 kcat -C -b "$bootstrap" -t "$out" -e -q -X isolation.level=read_committed \
      -f '%s\n' | grep -c '^RECORD-[0-9]*$')
    offsets=$("$kafka_local" group-offsets "$group" 2>"$work/go" | awk '{s += $3} END {print s + 0}')
    # The offsets went with the consumer's real generation and member id
    # (read from librdkafka's serialised group metadata), not -1 and none.
    if ! grep -qE 'generation [1-9][0-9]*, member [^n]' "$work/relay.out"; then
      fail "txn-relay: no group generation and member id" "$work/relay.out"
    elif [[ $upper -eq 300 && $offsets -eq 300 ]]; then
      pass "txn-relay: $(tail -n 1 "$work/relay.out"); kcat read_committed $upper, group offsets sum $offsets"
    else
      fail "txn-relay: read_committed $upper of 300, group offsets sum $offsets of 300" "$work/relay.out"
    fi
  else
    fail "txn-relay exited non-zero" "$work/relay.out"
  fi
else
  fail "txn-relay was not built (needs librdkafka)"
fi

echo "$passed passed, $failed failed"
((failed == 0))
