#!/bin/sh
# ringkafka-perf against the test broker: a tiny workload in each mode with
# --compare librdkafka (and java, in latency mode, when Java is here; CI
# requires it), and a check that the JSON has every client, every record
# delivered and plausible numbers.  Measures nothing.
#
#   smoke_test.sh RINGKAFKA_PERF TEST_BROKER
set -eu
perf=$1
broker=$2
dir=$(mktemp -d)
broker_pid=
cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"$broker" --topic perf:4 > "$dir/bootstrap" 2> "$dir/broker.log" &
broker_pid=$!
i=0
while [ ! -s "$dir/bootstrap" ]; do
  i=$((i + 1))
  if [ "$i" -gt 100 ] || ! kill -0 "$broker_pid" 2>/dev/null; then
    echo "the test broker did not start"; cat "$dir/broker.log"; exit 1
  fi
  sleep 0.1
done
bootstrap=$(head -n 1 "$dir/bootstrap")

# A usage error exits 2.
status=0
"$perf" -b "$bootstrap" -t perf --mode sideways > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || { echo "bad --mode: exit $status, want 2"; exit 1; }
status=0
"$perf" -b "$bootstrap" -t perf --librdkafka-first > /dev/null 2>&1 || status=$?
[ "$status" -eq 2 ] || { echo "--librdkafka-first alone: exit $status, want 2"; exit 1; }

peers=librdkafka
if command -v java > /dev/null; then
  peers=librdkafka,java
elif [ -n "${CI:-}" ]; then
  echo "CI is set but java is missing (tools/bootstrap installs it)"; exit 1
fi
"$perf" -b "$bootstrap" -t perf --mode latency --rate 2000 --count 1000 --threads 2 \
  --preset low_latency --compare "$peers" --json "$dir/latency.json" --hist "$dir/latency.hgrm"
"$perf" -b "$bootstrap" -t perf --mode throughput --count 20000 --key-size 0 \
  --preset throughput --compare librdkafka --librdkafka-first --json "$dir/throughput.json"

python3 - "$dir/latency.json" "$dir/throughput.json" "$peers" <<'PY'
import json, sys
for path, count, peers in ((sys.argv[1], 1000, sys.argv[3].split(",")), (sys.argv[2], 20000, ["librdkafka"])):
    doc = json.load(open(path))
    clients = {c["client"]: c for c in doc["clients"]}
    # ringkafka is listed first even when librdkafka ran first (throughput).
    assert [c["client"] for c in doc["clients"]] == ["ringkafka"] + peers, path
    for name, c in clients.items():
        where = f"{path}: {name}"
        assert c["records"] == count and c["failed"] == 0, (where, c["records"], c["failed"])
        assert c["msgs_per_s"] > 0 and c["cpu_user_seconds"] + c["cpu_system_seconds"] > 0, where
        lat = c["latency_ns"]
        assert (lat["wire"] is not None) == (name == "ringkafka"), where
        assert (lat["wire_from_call"] is not None) == (name == "ringkafka"), where
        for metric in ("late", "produce_call", "wire", "wire_from_call", "ack"):
            h = lat[metric]
            if h is None:
                continue
            assert h["count"] == count, (where, metric, h["count"])
            values = [h[p] for p in ("p50", "p90", "p99", "p99.9", "p99.99", "max")]
            assert 0 < values[0] and values == sorted(values), (where, metric, values)
            assert values[-1] < 60e9, (where, metric, values)
        assert (lat["late"] is not None) == (doc["workload"]["mode"] == "latency"), where
        # Each record's call starts at or after its intended time.
        if lat["wire"] is not None:
            for p in ("p50", "p99", "max"):
                assert lat["wire_from_call"][p] <= lat["wire"][p], (where, p)
        # The report comes after the call returned.
        assert lat["ack"]["p50"] > lat["produce_call"]["p50"], where
    if doc["workload"]["mode"] == "latency":
        assert doc["workload"]["rate"] == 2000, doc["workload"]
print("json ok")
PY
grep -q "ringkafka-perf librdkafka ack" "$dir/latency.hgrm"

# --stats: a snapshot per line while ringkafka runs, and tools/plot-stats
# draws them.
"$perf" -b "$bootstrap" -t perf --mode latency --rate 5000 --count 3000 \
  --stats "$dir/stats.ndjson" --stats-interval 100 > /dev/null
python3 - "$dir/stats.ndjson" <<'PY'
import json, sys
snapshots = [json.loads(line) for line in open(sys.argv[1])]
assert len(snapshots) >= 3, len(snapshots)
assert [s["snapshot"] for s in snapshots] == list(range(1, len(snapshots) + 1))
last = snapshots[-1]
# The run ends between two snapshots: the last one misses the last records.
assert last["records_delivered"] >= 1000 and last["records_failed"] == 0, last["records_delivered"]
windows = sum(s["report_latency_ns"]["count"] for s in snapshots)
assert windows == last["records_delivered"], (windows, last["records_delivered"])
print("stats ok")
PY
if command -v gnuplot > /dev/null; then
  "$(dirname "$0")/../plot-stats" -o "$dir/stages.png" "$dir/stats.ndjson" > /dev/null
  [ -s "$dir/stages.png" ] || { echo "plot-stats drew nothing"; exit 1; }
fi

# Transactions, ringkafka and the Java client (librdkafka 2.0.2 speaks no
# transaction request version the test broker serves): ten transactions
# of 50 each.
"$perf" -b "$bootstrap" -t perf --mode transactions --records-per-txn 50 --count 500 \
  --preset durable --compare java > "$dir/txn.txt"
grep -q "^ringkafka  *[0-9]" "$dir/txn.txt" || { cat "$dir/txn.txt"; exit 1; }
grep -q "^java  *[0-9]" "$dir/txn.txt" || { cat "$dir/txn.txt"; exit 1; }
grep -q "^java / ringkafka: commit p50" "$dir/txn.txt" || { cat "$dir/txn.txt"; exit 1; }
echo "ok"
