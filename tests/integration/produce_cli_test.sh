#!/usr/bin/env bash
# produce_cli_test.sh RINGKAFKA-PRODUCE
# ringkafka-produce against the real broker, checked with kcat (a consumer
# we did not write): keys split at -K, headers from -H, the `partition
# offset` lines of -v, -p, every -z codec, transactions
# (--transactional-id), and the exit statuses.
#
# The broker: $RINGKAFKA_BOOTSTRAP, else what `tools/kafka-local status`
# reports (as tests/integration/broker.h does).  None reachable: skip (77),
# or fail when CI is set.
set -uo pipefail
produce=$1
kafka_local=${RINGKAFKA_KAFKA_LOCAL:-tools/kafka-local}

# shellcheck source=../tools/require_broker.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/require_broker.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; shift; for f in "$@"; do echo "--- $f:"; head -n 40 "$f"; done; }

new_topic() {  # new_topic PARTITIONS: creates a topic and prints its name
  local name=cli-$$-$(date +%s%N)-p$1
  "$kafka_local" create-topic "$name" --partitions "$1" --bootstrap "$bootstrap" >"$work/create" 2>&1 ||
    { echo "create-topic $name failed:" >&2; cat "$work/create" >&2; exit 1; }
  echo "$name"
}
consume() {  # consume TOPIC FORMAT: every record, sorted
  timeout 60 kcat -C -b "$bootstrap" -t "$1" -e -q -f "$2" | LC_ALL=C sort
}

# --- keys, values and headers ---------------------------------------------
topic=$(new_topic 3)
# A line without the delimiter has a null key (-1 below); an empty key is
# not null; the split is at the first delimiter; the last line has no newline.
printf 'k1:v1\nk2:v:2\nno delimiter\n:empty key\nk3:\nk1:last' >"$work/in"
"$produce" -b "$bootstrap" -t "$topic" -K : -H trace=abc -H flag -H empty= <"$work/in" \
  >"$work/out" 2>"$work/err"
status=$?
consume "$topic" '%K|%k|%s|%h\n' >"$work/got"
LC_ALL=C sort >"$work/want" <<'EOF'
2|k1|v1|trace=abc,flag=NULL,empty=
2|k2|v:2|trace=abc,flag=NULL,empty=
-1||no delimiter|trace=abc,flag=NULL,empty=
0||empty key|trace=abc,flag=NULL,empty=
2|k3||trace=abc,flag=NULL,empty=
2|k1|last|trace=abc,flag=NULL,empty=
EOF
if [[ $status -eq 0 ]] && diff "$work/want" "$work/got" >"$work/diff"; then
  pass "-K : and -H: keys, values and headers as kcat reads them"
else
  fail "-K : and -H (exit $status)" "$work/diff" "$work/err"
fi
if grep -qx 'delivered 6 failed 0' "$work/err"; then
  pass "prints delivered 6 failed 0"
else
  fail "want 'delivered 6 failed 0' on stderr" "$work/err"
fi

# A delimiter of more than one character, as kcat's -K takes.
topic=$(new_topic 1)
printf 'a::b::c\nplain\n' | "$produce" -b "$bootstrap" -t "$topic" -K '::' >/dev/null 2>"$work/err"
status=$?
if [[ $status -eq 0 ]] && [[ $(consume "$topic" '%K|%k|%s\n') == $'-1||plain\n1|a|b::c' ]]; then
  pass "-K with a multi-character delimiter"
else
  fail "-K '::' (exit $status)" "$work/err"
fi

# No -K: every key null, a line with ':' kept whole.
topic=$(new_topic 1)
printf 'x:y\n' | "$produce" -b "$bootstrap" -t "$topic" >/dev/null 2>"$work/err"
status=$?
if [[ $status -eq 0 ]] && [[ $(consume "$topic" '%K|%s\n') == '-1|x:y' ]]; then
  pass "without -K keys are null"
else
  fail "without -K (exit $status)" "$work/err"
fi

# --- -v: one `partition offset` per record, the ones kcat sees -------------
topic=$(new_topic 3)
seq 1 500 | sed 's/^/key&:value&/' >"$work/in"
"$produce" -b "$bootstrap" -t "$topic" -K : -v <"$work/in" >"$work/out" 2>"$work/err"
status=$?
LC_ALL=C sort "$work/out" >"$work/reported"
consume "$topic" '%p %o\n' >"$work/got"
if [[ $status -eq 0 ]] && [[ $(wc -l <"$work/reported") -eq 500 ]] &&
   ! grep -qvE '^[0-9]+ [0-9]+$' "$work/reported" &&
   diff "$work/reported" "$work/got" >"$work/diff"; then
  pass "-v prints 500 'partition offset' lines, equal to what kcat reads"
else
  fail "-v (exit $status)" "$work/diff" "$work/out" "$work/err"
fi
# And the record kcat finds at each reported place is one we sent.
consume "$topic" '%k:%s\n' >"$work/got"
if diff <(LC_ALL=C sort "$work/in") "$work/got" >"$work/diff"; then
  pass "-v: every line arrived once"
else
  fail "-v: records differ" "$work/diff"
fi

# --- -p pins the partition -------------------------------------------------
topic=$(new_topic 3)
seq 1 50 | sed 's/^/k&:v&/' | "$produce" -b "$bootstrap" -t "$topic" -K : -p 2 -v \
  >"$work/out" 2>"$work/err"
status=$?
if [[ $status -eq 0 ]] && [[ $(consume "$topic" '%p\n' | uniq -c | awk '{print $1, $2}') == '50 2' ]] &&
   [[ $(cut -d' ' -f1 "$work/out" | sort -u) == 2 ]]; then
  pass "-p 2: all 50 records in partition 2"
else
  fail "-p 2 (exit $status)" "$work/out" "$work/err"
fi

# --- -z: every codec round-trips ---------------------------------------------
seq 1 2000 | sed 's/^/k&:compressible value number &, compressible value/' >"$work/in"
for codec in gzip snappy lz4 zstd; do
  topic=$(new_topic 2)
  "$produce" -b "$bootstrap" -t "$topic" -K : -z "$codec" <"$work/in" >/dev/null 2>"$work/err"
  status=$?
  consume "$topic" '%k:%s\n' >"$work/got"
  if [[ $status -eq 0 ]] && diff <(LC_ALL=C sort "$work/in") "$work/got" >"$work/diff" &&
     grep -qx 'delivered 2000 failed 0' "$work/err"; then
    pass "-z $codec: 2000 records read back by kcat"
  else
    fail "-z $codec (exit $status)" "$work/diff" "$work/err"
  fi
done

# --- presets and -X --------------------------------------------------------
topic=$(new_topic 1)
for preset in low_latency durable throughput; do
  echo "via $preset" | "$produce" -b "$bootstrap" -t "$topic" --preset "$preset" >/dev/null 2>"$work/err" ||
    fail "--preset $preset" "$work/err"
done
if [[ $(consume "$topic" '%s\n') == $'via durable\nvia low_latency\nvia throughput' ]]; then
  pass "--preset low_latency, durable, throughput each deliver"
else
  fail "--preset: records missing"
fi

# Configuration errors: exit 2, naming the key.
expect_usage() {  # expect_usage WORD ARGS...: exit 2 with WORD on stderr
  local word=$1; shift
  echo x | "$produce" "$@" >"$work/out" 2>"$work/err"
  local status=$?
  if [[ $status -eq 2 ]] && grep -q -- "$word" "$work/err"; then
    pass "$* exits 2 naming $word"
  else
    fail "$* (exit $status, want 2 naming $word)" "$work/err"
  fi
}
expect_usage acks -b "$bootstrap" -t "$topic" -X acks=2
# -X comes after -z, so it wins, and its error names its key.
expect_usage compression.type -b "$bootstrap" -t "$topic" -z gzip -X compression.type=brotli
expect_usage lingr.ms -b "$bootstrap" -t "$topic" -X lingr.ms=1
expect_usage preset -b "$bootstrap" -t "$topic" --preset fast
expect_usage -b -t "$topic"
expect_usage -p -b "$bootstrap" -t "$topic" -p two
if "$produce" --help | grep -q '^usage: ringkafka-produce'; then
  pass "--help prints the usage"
else
  fail "--help"
fi

# --- a record that fails: exit 1 ---------------------------------------------
printf 'lost\n' | "$produce" -b "$bootstrap" -t "$topic" -p 99 >"$work/out" 2>"$work/err"
status=$?
if [[ $status -eq 1 ]] && grep -qx 'delivered 0 failed 1' "$work/err" &&
   grep -q 'partition out of range' "$work/err"; then
  pass "-p 99 on a 1-partition topic: a failure, exit 1, 'failed 1'"
else
  fail "-p 99 (exit $status, want 1)" "$work/err"
fi

# --- errors and logs: -d, an unreachable broker -------------------------------
# -d broker,metadata: librdkafka's line format on stderr, the connection
# and the leader the real broker named; records still delivered.
printf 'logged\n' | "$produce" -b "$bootstrap" -t "$topic" -d broker,metadata >"$work/out" 2>"$work/err"
status=$?
if [[ $status -eq 0 ]] && grep -q '^%7|[0-9]*\.[0-9]*|BROKER|ringkafka| connecting to ' "$work/err" &&
   grep -q "|METADATA|ringkafka| $topic \[0\]: leader node " "$work/err"; then
  pass "-d broker,metadata: connection and leader lines, in librdkafka's format"
else
  fail "-d broker,metadata (exit $status)" "$work/err"
fi
expect_usage debug -b "$bootstrap" -t "$topic" -d brokers
# Nothing listens on port 1: the error is on stderr at once, and the
# record's failure says why.
printf 'nowhere\n' | "$produce" -b 127.0.0.1:1 -t "$topic" -X delivery.timeout.ms=1500 \
  -X request.timeout.ms=500 >"$work/out" 2>"$work/err"
status=$?
if [[ $status -eq 1 ]] &&
   grep -q '^%3|.*|ERROR|ringkafka| cannot connect to 127.0.0.1:1: Connection refused$' "$work/err" &&
   grep -q 'record 1 failed: .*cannot connect to 127.0.0.1:1: Connection refused' "$work/err"; then
  pass "an unreachable broker: named on stderr and in the record's failure"
else
  fail "unreachable broker (exit $status, want 1)" "$work/err"
fi

# --- transactions ---------------------------------------------------------------
# 25 lines, a transaction per 10: three commits, read by kcat (read_committed,
# librdkafka's default) and described by Kafka's own TransactionsCommand.
topic=$(new_topic 2)
txn_id=cli-txn-$$-$(date +%s%N)
seq 1 25 | "$produce" -b "$bootstrap" -t "$topic" --transactional-id "$txn_id" \
  --transaction-records 10 >"$work/out" 2>"$work/err"
status=$?
got=$(timeout 60 kcat -C -b "$bootstrap" -t "$topic" -X isolation.level=read_committed -e -q \
  -f '%s\n' | LC_ALL=C sort -n | tr '\n' ' ')
described=$("$kafka_local" transaction "$txn_id" 2>"$work/describe")
if [[ $status -eq 0 && $got == "$(seq 1 25 | tr '\n' ' ')" && $described == "CompleteCommit "*" 3 "* ]]; then
  pass "--transactional-id --transaction-records 10: 25 lines in three committed transactions"
else
  echo "read: $got" >"$work/got"
  echo "described: $described" >>"$work/got"
  fail "--transactional-id (exit $status)" "$work/got" "$work/err" "$work/describe"
fi
expect_usage transactional-id -b "$bootstrap" -t "$topic" --transaction-records 10
# A producer that cannot be transactional (acks=1) is a configuration error.
expect_usage transactional.id -b "$bootstrap" -t "$topic" --transactional-id x -X acks=1

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
