// Batches of the golden record recipe (golden.h), described by the
// parameters of one line of tests/golden/record_batches.txt: the compression
// tests read the Java client's batches in that format, and write ours in it
// for the Java client to check (tools/golden/verify).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "golden.h"
#include "test_bytes.h"
#include "wire/record_batch.h"

namespace ringkafka::golden {

struct RecipeBatch {
  std::string name, codec;
  int count = 0;
  bool keyed = true, null_values = false, with_headers = false;
  wire::ProducerFields producer;
  std::vector<std::byte> bytes;  // the batch as written, when read from a file
};

// The batches of record_batches.txt.
inline std::vector<RecipeBatch> recipe_batches() {
  std::vector<RecipeBatch> out;
  for (const auto& r : rows("record_batches.txt")) {
    out.push_back({r.at(0), r.at(1), std::stoi(r.at(2)), r.at(3) == "1", r.at(4) == "1",
                   r.at(5) == "1",
                   wire::ProducerFields{std::stoll(r.at(6)),
                                        static_cast<std::int16_t>(std::stoi(r.at(7))),
                                        std::stoi(r.at(8)), r.at(9) == "1"},
                   unhex(r.at(10))});
  }
  return out;
}

// Appends the recipe's records to `writer` and sets its producer fields;
// false if they do not fit.
inline bool fill(wire::RecordBatchWriter& writer, const RecipeBatch& b) {
  for (int i = 0; i < b.count; ++i) {
    const auto k = key(i);
    const auto v = value(i);
    const auto hs = headers(i);
    std::vector<wire::RecordHeader> record_headers;
    if (b.with_headers) {
      for (const auto& h : hs) {
        record_headers.push_back(
            {h.name, h.null_value ? wire::NullableBytes::null() : wire::NullableBytes::of(h.value)});
      }
    }
    if (!writer.append(timestamp(i), b.keyed ? wire::NullableBytes::of(k) : wire::NullableBytes::null(),
                       b.null_values ? wire::NullableBytes::null() : wire::NullableBytes::of(v),
                       record_headers)) {
      return false;
    }
  }
  writer.set_producer(b.producer);
  return true;
}

// Hex for a batch file; "." for no bytes, as the golden files write it.
inline std::string hex(std::span<const std::byte> b) {
  return b.empty() ? "." : testing::hex(b);
}

// One line of record_batches.txt for `b` with `batch` as its bytes.
inline std::string line(const RecipeBatch& b, std::span<const std::byte> batch) {
  std::string s = b.name;
  for (const std::string& f :
       {b.codec, std::to_string(b.count), std::string(b.keyed ? "1" : "0"),
        std::string(b.null_values ? "1" : "0"), std::string(b.with_headers ? "1" : "0"),
        std::to_string(b.producer.producer_id), std::to_string(b.producer.producer_epoch),
        std::to_string(b.producer.base_sequence), std::string(b.producer.transactional ? "1" : "0"),
        hex(batch)}) {
    s.append(" ").append(f);
  }
  return s;
}

}  // namespace ringkafka::golden
