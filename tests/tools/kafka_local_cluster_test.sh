#!/usr/bin/env bash
# The 3-node mode of tools/kafka-local, which the reliability tests kill
# brokers in: three brokers answer, a topic gets replication 3 with
# min.insync.replicas=2, acks=all records survive a round trip through kcat,
# a partition's leader can be named, killed and started again (the others
# take over meanwhile), producers and broker-config reach the cluster, and
# stop leaves nothing running.
set -euo pipefail
kl=${RINGKAFKA_KAFKA_LOCAL:?}
dir=$(mktemp -d)/cluster
cleanup() { "$kl" stop --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$(dirname "$dir")"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

bootstrap=$("$kl" start --brokers 3 --dir "$dir" --broker-config log.retention.hours=1000)
grep -qx 'log.retention.hours=1000' "$dir/node-2/server.properties" ||
  fail "--broker-config did not reach node 2's server.properties"
[[ $(tr ',' '\n' <<<"$bootstrap" | wc -l) -eq 3 ]] || fail "bootstrap '$bootstrap' does not name 3 brokers"
[[ $("$kl" status --dir "$dir") == "$bootstrap" ]] || fail "status disagrees with start"

"$kl" create-topic replicated --partitions 6 --replication 3 --config min.insync.replicas=2 \
  --dir "$dir" || fail "create-topic failed"
# Leaders come first; followers join the ISR a moment later on a busy machine.
for _ in $(seq 60); do
  md=$(kcat -L -b "$bootstrap" -t replicated -m 10 2>&1) || md="kcat failed: $md"
  in_sync=$(grep -c 'replicas: [0-9],[0-9],[0-9], isrs: [0-9],[0-9],[0-9]$' <<<"$md" || true)
  [[ $in_sync -eq 6 ]] && break
  sleep 0.5
done
grep -q ' 3 brokers:' <<<"$md" || fail "metadata does not show 3 brokers: $md"
[[ $in_sync -eq 6 ]] || fail "not every partition has 3 replicas in sync after 30 s: $md"
java_cp="$(ls -d "${RINGKAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ringkafka}"/kafka-4*/libs | head -n 1)/*"
configs=$(java -cp "$java_cp" -Dlog4j2.configurationFile="$(dirname "$kl")/kafka/log4j2-tools.properties" \
  kafka.admin.ConfigCommand --bootstrap-server "${bootstrap%%,*}" --describe \
  --entity-type topics --entity-name replicated 2>&1) || fail "ConfigCommand failed: $configs"
grep -q 'min.insync.replicas=2' <<<"$configs" || fail "min.insync.replicas=2 not set: $configs"

seq 1 500 | sed 's/^/record-/' | kcat -P -b "$bootstrap" -t replicated -X acks=all ||
  fail "kcat could not produce with acks=all"
got=$(timeout 60 kcat -C -b "$bootstrap" -t replicated -e -q | sort | uniq) || fail "kcat could not consume"
[[ $(wc -l <<<"$got") -eq 500 ]] || fail "consumed $(wc -l <<<"$got") distinct records, want 500"

# producers: an idempotent producer's state on a partition's leader; 10
# records leave its last sequence at 9.
seq 1 10 | kcat -P -b "$bootstrap" -t replicated -p 0 -X enable.idempotence=true ||
  fail "kcat could not produce idempotently"
producers=$("$kl" producers replicated 0 --dir "$dir") || fail "producers failed"
[[ $producers =~ ^[0-9]+\ [0-9]+\ 9$ ]] || fail "producers printed '$producers', want 'ID EPOCH 9'"
# broker-config: a dynamic cluster-wide default, set and deleted.
"$kl" broker-config producer.id.expiration.ms=86399000 --dir "$dir" || fail "broker-config failed"
describe() {
  java -cp "$java_cp" -Dlog4j2.configurationFile="$(dirname "$kl")/kafka/log4j2-tools.properties" \
    kafka.admin.ConfigCommand --bootstrap-server "${bootstrap%%,*}" --describe \
    --entity-type brokers --entity-default 2>&1
}
grep -q 'producer.id.expiration.ms=86399000' <<<"$(describe)" || fail "broker-config not set: $(describe)"
"$kl" broker-config --delete producer.id.expiration.ms --dir "$dir" || fail "broker-config --delete failed"
grep -q 'producer.id.expiration.ms' <<<"$(describe)" && fail "broker-config --delete left: $(describe)"

leader=$("$kl" leader replicated 0 --dir "$dir")
[[ $leader =~ ^[1-3]$ ]] || fail "leader of replicated-0 is '$leader', not a node id"
"$kl" kill-node "$leader" --signal KILL --dir "$dir" || fail "kill-node $leader failed"
pgrep -f "$dir/node-$leader/server.properties" >/dev/null && fail "node $leader outlived kill-node"
# The two others elect a new leader and still take acks=all records.
for _ in $(seq 60); do
  now=$("$kl" leader replicated 0 --dir "$dir" 2>/dev/null || true)
  [[ $now =~ ^[1-3]$ && $now != "$leader" ]] && break
  sleep 0.5
done
[[ $now != "$leader" ]] || fail "partition 0 kept its dead leader $leader"
seq 501 600 | sed 's/^/record-/' | kcat -P -b "$bootstrap" -t replicated -X acks=all ||
  fail "kcat could not produce with one node down"
"$kl" start-node "$leader" --dir "$dir" || fail "start-node $leader failed"
kcat -L -b "$bootstrap" -m 5 | grep -q ' 3 brokers:' || fail "node $leader did not rejoin"
"$kl" start-node "$leader" --dir "$dir" 2>/dev/null && fail "start-node accepted a running node"
"$kl" kill-node 7 --dir "$dir" 2>/dev/null && fail "kill-node accepted a node that does not exist"
got=$(timeout 60 kcat -C -b "$bootstrap" -t replicated -e -q | sort | uniq) || fail "kcat could not consume"
[[ $(wc -l <<<"$got") -eq 610 ]] || fail "consumed $(wc -l <<<"$got") distinct records after the restart, want 600 + the 10 idempotent ones"

"$kl" stop --dir "$dir"
if "$kl" status --dir "$dir" >/dev/null 2>&1; then fail "status still reports a cluster after stop"; fi
pgrep -f "$dir/node-" >/dev/null && fail "a node process outlived stop"
echo "1 passed, 0 failed"
