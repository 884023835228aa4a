#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the golden vectors.

Decoder seeds are one byte (the version's offset in ringkafka's supported
range) followed by a response body from tests/golden/protocol.txt; record
batch seeds are the golden batches, alone and back to back.  Run from the
repository root after regenerating the golden vectors."""
import os

GOLDEN = "tests/golden"
OUT = "tests/fuzz/corpus"
# api key -> (target name, lowest supported version); mirrors src/wire/protocol.cpp
APIS = {
    18: ("api_versions_response", 0), 3: ("metadata_response", 9), 0: ("produce_response", 3),
    22: ("init_producer_id_response", 2), 10: ("find_coordinator_response", 3),
    24: ("add_partitions_to_txn_response", 3), 26: ("end_txn_response", 3),
    25: ("add_offsets_to_txn_response", 3), 28: ("txn_offset_commit_response", 3),
    65: ("describe_transactions_response", 0), 17: ("sasl_handshake_response", 1),
    36: ("sasl_authenticate_response", 0),
}


def write(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


for line in open(os.path.join(GOLDEN, "protocol.txt")):
    f = line.split()
    if not f or f[0] != "response":
        continue
    api, version, case, body = int(f[1]), int(f[2]), f[3], f[4]
    target, low = APIS[api]
    data = bytes([version - low]) + (b"" if body == "." else bytes.fromhex(body))
    write(target, f"v{version}-{case}", data)

batches = []
for line in open(os.path.join(GOLDEN, "record_batches.txt")):
    if line.startswith("#"):
        continue
    f = line.split()
    batch = bytes.fromhex(f[10])
    batches.append(batch)
    write("record_batch", f[0], b"\x00" + batch)
write("record_batch", "several", b"\x00" + b"".join(batches[:4]))

# Decompressor seeds: the records sections of the Java client's compressed
# batches, behind the codec byte the target reads (attribute bits 0-2).
for line in open(os.path.join(GOLDEN, "record_batches.txt")):
    if line.startswith("#"):
        continue
    f = line.split()
    if f[1] == "none":
        continue
    batch = bytes.fromhex(f[10])
    codec = batch[22] & 0x7  # low byte of the attributes
    write("decompress", f[1], bytes([codec - 1]) + batch[61:])
