#!/usr/bin/env python3
"""layering_test.py SRC: every #include "stage/..." in src/ goes to a stage
the including stage may use, and nothing else.

The stages, from the bottom (a stage may use those listed for it, and the
public headers, "ringkafka/..."):

  core       lock-free building blocks, clocks, memory: nothing
  wire       Kafka's byte formats and codecs: core
  compress   the records section in each codec: wire, core
  partition  which partition a record goes to: core
  metrics    histograms, the statistics' formats (JSON, Prometheus): nothing
  sasl       the SASL mechanisms' messages (PLAIN, SCRAM, OAUTHBEARER), as
             state machines without I/O: nothing (OpenSSL's crypto)
  config     the keys, checked and resolved: compress, partition, wire
             (it checks values those stages define: codec names and
             levels, zstd's from libzstd at run time, partitioner names;
             one source for each, so config sits above them)
  handoff    what application threads and the sender share (slots, rings,
             record format, report queues): config, core
  io         the sender's reactor (io_uring, idle strategy), transports
             and the resolver: config, core
  tls        OpenSSL's context, a session over memory BIOs, the TLS
             transport: io, config, core
  broker     connections to brokers (framing, correlation, versions,
             handshake) and the broker table: tls, io, sasl, wire, config,
             metrics (its counters and latency windows), core
  accumulator  records from the rings into batches, the topic table, the
             reporter: handoff, config, wire, compress, partition, metrics, core
  sender     the thread that does I/O: accumulator, broker, tls, io, handoff, config, wire,
             compress, partition, metrics, core
  producer   the public Producer: sender, handoff, config, core

A cycle is impossible by construction: each stage lists only stages above
it in this table.  KNOWN holds crossings still to remove (none today); the
test fails when one of them is no longer there, so the list cannot go
stale.
"""
import os
import re
import sys

ORDER = ["core", "wire", "compress", "partition", "metrics", "sasl", "config", "handoff", "io", "tls", "broker", "accumulator", "sender", "producer"]
ALLOWED = {
    "core": set(),
    "wire": {"core"},
    "compress": {"wire", "core"},
    "partition": {"core"},
    "metrics": set(),
    "sasl": set(),
    "config": {"compress", "partition", "wire"},
    "handoff": {"config", "core"},
    "io": {"config", "core"},
    "tls": {"io", "config", "core"},
    "broker": {"tls", "io", "sasl", "wire", "config", "metrics", "core"},
    "accumulator": {"handoff", "config", "wire", "compress", "partition", "metrics", "core"},
    "sender": {"accumulator", "broker", "tls", "io", "handoff", "config", "wire", "compress", "partition", "metrics", "core"},
    "producer": {"sender", "handoff", "config", "core"},
}
KNOWN: set = set()

for stage, uses in ALLOWED.items():
    for used in uses:
        assert ORDER.index(used) < ORDER.index(stage), (stage, used)

src = sys.argv[1]
include = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
problems = []
seen_known = set()
for stage in sorted(os.listdir(src)):
    folder = os.path.join(src, stage)
    if not os.path.isdir(folder):
        continue
    if stage not in ALLOWED:
        problems.append(f"src/{stage}/ is not a stage in {os.path.basename(__file__)}'s table")
        continue
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".h", ".cpp")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = include.match(line)
                if not m:
                    continue
                used = m.group(1)
                if used in (stage, "ringkafka"):
                    continue
                if (stage, used) in KNOWN:
                    seen_known.add((stage, used))
                    continue
                if used not in ALLOWED.get(stage, set()):
                    problems.append(f"src/{stage}/{name}:{number}: {stage} may not use {used}/")
for stage, used in sorted(KNOWN - seen_known):
    problems.append(f"KNOWN lists {stage} -> {used}, which is gone: remove it from the list")
for p in problems:
    print(p)
print(f"{'FAIL' if problems else 'ok'}: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
