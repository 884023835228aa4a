#!/usr/bin/env bash
# ringkafka-test-broker as a process: prints its bootstrap string, answers a
# Kafka ApiVersions request (the Java client's own bytes, from the golden
# vectors) on each port, takes librdkafka's batches (kcat: every codec, and
# idempotent) as a sink for the benchmark comparison, and on SIGTERM exits 0
# with its counters.
set -euo pipefail
bin=$1 golden=$2
out=$(mktemp) err=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out" "$err"' EXIT
# The broker's first line is its bootstrap string; on a loaded machine it
# can take seconds (a CI run once saw none within 5 s, and kcat then waited
# forever without a bootstrap).
await_bootstrap() {
  for _ in $(seq 300); do [[ -s $out ]] && break; sleep 0.1; done
  [[ -s $out ]] || { echo "FAIL the broker printed no bootstrap string within 30 s"; cat "$err"; exit 1; }
}
"$bin" --brokers 2 --topic orders:3 >"$out" 2>"$err" &
pid=$!
await_bootstrap
bootstrap=$(head -n 1 "$out")
[[ $bootstrap =~ ^127\.0\.0\.1:[0-9]+,127\.0\.0\.1:[0-9]+$ ]] || { echo "FAIL bootstrap '$bootstrap'"; exit 1; }

frame=$(awk '$1 == "request" && $2 == 18 && $3 == 0 {print $5}' "$golden")
python3 - "$bootstrap" "$frame" <<'PY'
import socket, struct, sys
for hostport in sys.argv[1].split(","):
    host, port = hostport.split(":")
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(bytes.fromhex(sys.argv[2]))
    size = struct.unpack(">i", s.recv(4, socket.MSG_WAITALL))[0]
    body = s.recv(size, socket.MSG_WAITALL)
    correlation, error = struct.unpack(">ih", body[:6])
    assert correlation == 7 and error == 0, (correlation, error)
    s.close()
PY
for codec in none gzip snappy lz4 zstd; do
  seq 1 200 | kcat -P -b "$bootstrap" -t orders -z "$codec" || { echo "FAIL kcat -z $codec"; exit 1; }
done
seq 1 100 | kcat -P -b "$bootstrap" -t orders -X enable.idempotence=true ||
  { echo "FAIL kcat with idempotence"; exit 1; }
kill -TERM "$pid"
wait "$pid"
grep -qE '^connections [0-9]+ requests [0-9]+ produce_requests [0-9]+ batches [0-9]+ records 1100 rejected_batches 0$' "$err" ||
  { echo "FAIL counters:"; cat "$err"; exit 1; }

# --stall: a bad spec is refused; a good one still serves (records go
# through the pauses).
if "$bin" --topic t:1 --stall 50:50 2>"$err"; then echo "FAIL --stall 50:50 accepted"; exit 1; fi
grep -q -- "--stall takes MS:EVERY_MS" "$err" || { echo "FAIL --stall message:"; cat "$err"; exit 1; }
"$bin" --topic orders:1 --stall 20:50 >"$out" 2>"$err" &
pid=$!
await_bootstrap
seq 1 300 | kcat -P -b "$(head -n 1 "$out")" -t orders -X linger.ms=1 || { echo "FAIL kcat through --stall"; exit 1; }
kill -TERM "$pid"
wait "$pid"
grep -q ' records 300 rejected_batches 0$' "$err" || { echo "FAIL --stall counters:"; cat "$err"; exit 1; }
echo "1 passed, 0 failed"
