// Producer::create for the unit suites that run the producer against the
// test broker: `config` pointed at `bootstrap`, plus `extra` keys, each
// checked with gtest; nullptr (with a failure recorded) if anything is
// refused.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "ringkafka/producer.h"

namespace ringkafka::test_broker {

inline std::unique_ptr<Producer> make_producer(ringkafka::Config config, const std::string& bootstrap,
                                               const std::map<std::string, std::string>& extra) {
  config.bootstrap_servers(bootstrap);
  for (const auto& [k, v] : extra) {
    auto r = config.set(k, v);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  }
  auto p = Producer::create(config);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  if (!p.ok()) return nullptr;
  return std::move(p.value());
}

}  // namespace ringkafka::test_broker
