// The test broker's log as a consumer would read it: partition by
// partition, in offset order, each record decoded into the KcatRecord the
// real-Kafka tests get from kcat, so that the same checks apply to both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "../integration/kcat_reader.h"
#include "wire/record_batch_reader.h"

namespace ringkafka::test_broker {

inline std::optional<std::string> text_of(wire::NullableBytes b) {
  if (b.is_null) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(b.bytes.data()), b.bytes.size());
}

inline std::vector<testing::KcatRecord> broker_log(const TestBroker& broker,
                                                   const std::string& topic,
                                                   std::int32_t partitions) {
  std::vector<testing::KcatRecord> out;
  for (std::int32_t part = 0; part < partitions; ++part) {
    for (const auto& b : broker.batches(topic, part)) {
      wire::RecordBatchHeader h;
      std::span<const std::byte> records;
      EXPECT_EQ(wire::read_record_batch(b.bytes, h, records), wire::BatchStatus::kOk);
      wire::RecordIterator it(records, h.record_count);
      wire::RecordView r;
      while (it.next(r)) {
        testing::KcatRecord k;
        k.partition = part;
        k.offset = b.base_offset + r.offset_delta;
        k.key = text_of(r.key);
        k.value = text_of(r.value);
        EXPECT_TRUE(wire::for_each_header(r, [&](std::string_view name, wire::NullableBytes v) {
          k.headers.emplace_back(std::string(name), text_of(v).value_or(""));
        }));
        out.push_back(std::move(k));
      }
      EXPECT_EQ(it.status(), wire::BatchStatus::kOk);
    }
  }
  return out;
}

}  // namespace ringkafka::test_broker
