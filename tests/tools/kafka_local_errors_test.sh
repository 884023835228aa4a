#!/usr/bin/env bash
# tools/kafka-local says why it fails instead of hanging or failing quietly.
# Each case checks the exit status and the message.
set -uo pipefail
kl=${RINGKAFKA_KAFKA_LOCAL:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=expect.sh
. "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

expect "status with nothing running exits 1" 1 "nothing running" -- \
  "$kl" status --dir "$tmp/none"
expect "stop with nothing running is not an error" 0 "nothing running" -- \
  "$kl" stop --dir "$tmp/none"

# A PATH with the shell tools but no java, and no JAVA_HOME.
mkdir -p "$tmp/bin"
for t in bash dirname sed grep cat tr mkdir python3 kcat rm ls touch basename tail sleep env; do
  ln -sf "$(command -v "$t")" "$tmp/bin/$t"
done
expect "no Java" 1 "no Java found.*Java 17" -- \
  env -u JAVA_HOME PATH="$tmp/bin" "$kl" start --dir "$tmp/nojava"

# Java present but an empty jar cache and no Maven to fill it.
ln -sf "$(command -v java)" "$tmp/bin/java"
expect "no Maven" 1 "Maven \(mvn\) not found" -- \
  env PATH="$tmp/bin" RINGKAFKA_CACHE="$tmp/emptycache" "$kl" start --dir "$tmp/nomaven"

expect "bad --brokers" 1 "--brokers takes a number" -- "$kl" start --brokers x --dir "$tmp/bad"
expect "bad --broker-config" 1 "--broker-config takes key=value" -- \
  "$kl" start --broker-config nokey --dir "$tmp/bad"
expect "kill-node of no cluster" 1 "kill-node: no cluster" -- "$kl" kill-node 1 --dir "$tmp/none"
expect "start-node without a node" 1 "start-node: a node number is required" -- \
  "$kl" start-node --dir "$tmp/none"
expect "create-topic without partitions" 1 "--partitions takes a positive number" -- \
  "$kl" create-topic t --dir "$tmp/none"
expect "create-topic with no cluster" 1 "no cluster running" -- \
  "$kl" create-topic t --partitions 1 --dir "$tmp/none"
expect "unknown option" 1 "unknown option --bogus" -- "$kl" start --bogus
expect "broker-config without key=value" 1 "broker-config takes key=value or --delete key" -- \
  "$kl" broker-config nokey --dir "$tmp/none"
expect "broker-config with no cluster" 1 "broker-config: no cluster running" -- \
  "$kl" broker-config a=b --dir "$tmp/none"
expect "producers without a partition" 1 "producers: TOPIC and PARTITION are required" -- \
  "$kl" producers t --dir "$tmp/none"

# A node that dies during start-up: its log tail is shown (here the JVM
# refuses the heap size).
expect "node exits during start-up shows its log" 1 "node 1 exited during start-up" -- \
  "$kl" start --dir "$tmp/badheap" --heap 1x
grep -q "Invalid maximum heap size" "$tmp/badheap/logs/node-1.log" ||
  { echo "FAIL the JVM's own message is not in the node log"; failures=$((failures + 1)); }

# Never wipe a directory kafka-local did not make.
mkdir -p "$tmp/precious"; echo keep >"$tmp/precious/file"
expect "--security with more than one node" 1 "--security starts one node only" -- \
  "$kl" start --security --brokers 3 --dir "$tmp/secure3"
expect "consume without a topic" 1 "consume: TOPIC is required" -- "$kl" consume --dir "$tmp/none"
expect "consume with a bad isolation level" 1 "read_committed or read_uncommitted" -- \
  "$kl" consume t --isolation dirty --dir "$tmp/none"
expect "group-member without --out" 1 "GROUP, TOPIC and --out FILE are required" -- \
  "$kl" group-member g t --dir "$tmp/none"
expect "refuses a foreign --dir" 1 "was not made by kafka-local" -- "$kl" start --dir "$tmp/precious"
[[ -f $tmp/precious/file ]] || { echo "FAIL the foreign directory was touched"; failures=$((failures + 1)); }

expect_summary
