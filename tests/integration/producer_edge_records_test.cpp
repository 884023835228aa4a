// Records at the edges of what a producer must carry, against real Kafka
// and read back with kcat: a null key, an empty key, an empty value, a null
// value, a 1 MiB value of every byte value, and headers whose names and
// values are binary.  Each must come back exactly as it was given, through
// produce() and written in place through reserve() / commit().
#include <chrono>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"
#include "kcat_reader.h"
#include "reports.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

struct Edge {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
};

rk::Bytes bytes_of(const std::optional<std::string>& s) {
  return s ? rk::Bytes(s->data(), s->size()) : rk::Bytes::null();
}

// Every byte value kcat's header output can carry: it does not escape ',',
// '=' or a newline there, and prints a header value as a C string, so a
// zero byte ends it.
std::string binary_header_bytes() {
  std::string out;
  for (int b = 1; b < 256; ++b) {
    if (b != ',' && b != '=' && b != '\n') out.push_back(static_cast<char>(b));
  }
  return out;
}

TEST(ProducerEdgeRecords, NullAndEmptyKeysAndValuesOneMebibyteValuesAndBinaryHeadersArriveIntact) {
  std::string bootstrap;
  RINGKAFKA_REQUIRE_BROKER(bootstrap);
  const std::string topic = rt::unique_topic("edge");
  // Room for a 1 MiB value: the topic and the producer both allow 2 MiB.
  ASSERT_TRUE(rt::create_topic(topic, 1, 1, {"max.message.bytes=2097152"}));

  std::string mebibyte(1 << 20, '\0');
  for (std::size_t i = 0; i < mebibyte.size(); ++i) mebibyte[i] = static_cast<char>(i * 7919 % 256);
  const std::string binary = binary_header_bytes();
  const std::vector<Edge> edges = {
      {std::nullopt, std::string("null key"), {}},
      {std::string(), std::string("empty key"), {}},
      {std::string("empty value"), std::string(), {}},
      {std::string("null value"), std::nullopt, {}},
      {std::string("mebibyte"), mebibyte, {}},
      {std::string("headers"), std::string("v"),
       {{"plain", "x"}, {binary.substr(0, 40), binary}, {"empty", ""}, {"again", "x"}}},
  };

  struct Pass {
    const char* preset;
    bool in_place;
  };
  constexpr Pass kPasses[] = {{"low_latency", false}, {"durable", false}, {"durable", true}};
  for (const auto [preset, in_place] : kPasses) {
    SCOPED_TRACE(std::string(preset) + (in_place ? " reserve/commit" : " produce()"));
    auto preset_config = rk::Config::preset(preset);
    ASSERT_TRUE(preset_config.ok());
    rk::Config config = preset_config.value();
    config.bootstrap_servers(bootstrap);
    ASSERT_TRUE(config.set("max.request.size", "2097152").ok());
    auto made = rk::Producer::create(config);
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const rk::Topic t = p.topic(topic).value();
    for (const Edge& e : edges) {
      std::vector<rk::Header> headers;
      for (const auto& [name, value] : e.headers) headers.push_back({name, rk::Bytes(value)});
      if (!in_place) {
        ASSERT_EQ(p.produce(t, bytes_of(e.key), bytes_of(e.value), {.headers = headers}), rk::Errc::kOk);
        continue;
      }
      rk::Reservation r;
      ASSERT_EQ(p.reserve(r, t, e.key ? e.key->size() : rk::kNullSize,
                          e.value ? e.value->size() : rk::kNullSize, {.headers = headers}),
                rk::Errc::kOk);
      if (e.key) std::memcpy(r.key().data(), e.key->data(), e.key->size());
      if (e.value) std::memcpy(r.value().data(), e.value->data(), e.value->size());
      p.commit(r);
    }
    ASSERT_EQ(p.flush(30s), rk::Errc::kOk);
    const auto reports = rt::await_reports(p, edges.size(), 10s);
    EXPECT_EQ(reports.size(), edges.size());
    for (const auto& r : reports) EXPECT_TRUE(r.ok()) << r.message << " " << r.kafka_error;
  }

  std::vector<rt::KcatRecord> consumed;
  const std::size_t expected = std::size(kPasses) * edges.size();
  ASSERT_EQ(rt::kcat_read_topic(bootstrap, topic, consumed, expected, 30s), "");
  ASSERT_EQ(consumed.size(), expected);
  for (std::size_t i = 0; i < consumed.size(); ++i) {
    const Edge& e = edges[i % edges.size()];
    const rt::KcatRecord& r = consumed[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(r.key, e.key);
    EXPECT_EQ(r.value.has_value(), e.value.has_value());
    if (r.value && e.value) {
      EXPECT_EQ(r.value->size(), e.value->size());
      EXPECT_TRUE(*r.value == *e.value) << "value bytes differ";
    }
    EXPECT_EQ(r.headers, e.headers);
  }
}

}  // namespace
