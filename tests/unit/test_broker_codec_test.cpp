// The test broker's own codecs against the Java client: it must read the
// requests Java writes and write the responses Java writes, byte for byte
// (tests/golden/protocol.txt; values from tools/golden/ProtocolVectors.java).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/server_codec.h"
#include "golden.h"
#include "test_bytes.h"
#include "wire/byte_order.h"

namespace tb = ringkafka::test_broker;
namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;

namespace {

struct Vec {
  int api;
  std::int16_t version;
  std::string name;
  std::vector<std::byte> bytes;
};

std::vector<Vec> vectors(const std::string& kind, int api) {
  std::vector<Vec> out;
  for (const auto& r : golden::rows("protocol.txt")) {
    if (r.at(0) == kind && std::stoi(r.at(1)) == api) {
      out.push_back({api, static_cast<std::int16_t>(std::stoi(r.at(2))), r.at(3), golden::unhex(r.at(4))});
    }
  }
  return out;
}

std::size_t single_batch_size() {
  for (const auto& r : golden::rows("record_batches.txt")) {
    if (r.at(0) == "single") return golden::unhex(r.at(10)).size();
  }
  return 0;
}

// Splits a Java request frame into its header and body.
std::span<const std::byte> parse_request(const Vec& v, tb::RequestHeaderIn& h) {
  const std::span<const std::byte> frame(v.bytes);
  EXPECT_EQ(w::load_be<std::int32_t>(frame.data()), static_cast<std::int32_t>(frame.size() - 4));
  w::Reader r(frame.subspan(4));
  EXPECT_EQ(tb::read_request_header(r, h), w::DecodeStatus::kOk);
  EXPECT_EQ(h.api_key, v.api);
  EXPECT_EQ(h.api_version, v.version);
  EXPECT_EQ(h.correlation_id, 7);
  EXPECT_EQ(h.client_id, "ringkafka-test");
  return frame.subspan(4 + r.position());
}

using ringkafka::testing::hex;

TEST(TestBrokerCodec, ReadsTheJavaClientsRequests) {
  int seen = 0;
  for (const auto& v : vectors("request", 3)) {
    tb::RequestHeaderIn h;
    const auto body = parse_request(v, h);
    tb::MetadataRequestIn md;
    ASSERT_EQ(tb::decode_metadata_request(body, v.version, md), w::DecodeStatus::kOk) << v.version;
    if (v.name == "all_topics") {
      EXPECT_TRUE(md.all_topics);
    } else {
      ASSERT_EQ(md.topics.size(), 2U);
      EXPECT_EQ(md.topics[1], "trades");
    }
    ++seen;
  }
  for (const auto& v : vectors("request", 0)) {
    tb::RequestHeaderIn h;
    const auto body = parse_request(v, h);
    tb::ProduceRequestIn p;
    ASSERT_EQ(tb::decode_produce_request(body, v.version, p), w::DecodeStatus::kOk) << v.version;
    EXPECT_EQ(p.acks, -1);
    EXPECT_EQ(p.timeout_ms, 30000);
    EXPECT_EQ(p.transactional_id.has_value(), v.name == "transactional");
    ASSERT_EQ(p.topics.size(), 1U);
    EXPECT_EQ(p.topics[0].name, "orders");
    ASSERT_EQ(p.topics[0].partitions.size(), 2U);
    EXPECT_EQ(p.topics[0].partitions[1].partition, 2);
    EXPECT_EQ(p.topics[0].partitions[1].records.size(), single_batch_size());
    ++seen;
  }
  for (const auto& v : vectors("request", 22)) {
    tb::RequestHeaderIn h;
    const auto body = parse_request(v, h);
    tb::InitProducerIdRequestIn ip;
    ASSERT_EQ(tb::decode_init_producer_id_request(body, v.version, ip), w::DecodeStatus::kOk);
    EXPECT_EQ(ip.transaction_timeout_ms, 60000);
    EXPECT_EQ(ip.transactional_id.has_value(), v.name == "transactional");
    ++seen;
  }
  for (const auto& v : vectors("request", 18)) {
    tb::RequestHeaderIn h;
    (void)parse_request(v, h);
    ++seen;
  }
  EXPECT_EQ(seen, 8 + 20 + 8 + 5);
}

TEST(TestBrokerCodec, WritesTheJavaClientsResponses) {
  for (const auto& v : vectors("response", 3)) {
    tb::MetadataResponseOut md;
    md.throttle_time_ms = 1;
    md.brokers = {{1, "127.0.0.1", 9092, std::nullopt}, {2, "host2", 9093, "rack-a"}};
    md.cluster_id = "cluster-xyz";
    md.controller_id = 2;
    tb::MetadataTopicOut orders;
    orders.name = "orders";
    for (int i = 0; i < 16; ++i) orders.topic_id[static_cast<std::size_t>(i)] = static_cast<std::byte>(i + 1);
    orders.partitions = {{0, 0, 1, 7, {1, 2}, {1, 2}, {}}, {0, 1, 2, 3, {2, 1}, {2}, {1}}};
    tb::MetadataTopicOut missing;
    missing.error_code = 3;
    missing.name = "missing";
    md.topics = {orders, missing};
    const auto frame = tb::encode_metadata_response(9, v.version, md);
    EXPECT_EQ(hex(tb::response_body(frame, w::ApiKey::kMetadata, v.version)), hex(v.bytes)) << v.version;
  }
  for (const auto& v : vectors("response", 0)) {
    tb::ProduceResponseOut pr;
    tb::ProducePartitionOut ok{0, 0, 100, -1, 0, {}, std::nullopt, -1, -1};
    tb::ProducePartitionOut moved{2, 6, -1, -1, -1, {{3, "bad record"}}, "not leader", -1, -1};
    if (v.version >= 10) {
      moved.current_leader_id = 2;
      moved.current_leader_epoch = 9;
      pr.node_endpoints = {{2, "host2", 9093, "rack-a"}};
    }
    pr.topics = {{"orders", {ok, moved}}};
    const auto frame = tb::encode_produce_response(9, v.version, pr);
    EXPECT_EQ(hex(tb::response_body(frame, w::ApiKey::kProduce, v.version)), hex(v.bytes)) << v.version;
  }
  for (const auto& v : vectors("response", 22)) {
    const auto frame = tb::encode_init_producer_id_response(9, v.version, 3, 0, 1234, 6);
    EXPECT_EQ(hex(tb::response_body(frame, w::ApiKey::kInitProducerId, v.version)), hex(v.bytes));
  }
  // ApiVersions up to v2 has no tagged features, so it compares exactly.
  for (const auto& v : vectors("response", 18)) {
    if (v.version > 2) continue;
    const auto frame = tb::encode_api_versions_response(
        9, v.version, 0, {{0, 0, 12}, {3, 0, 13}, {18, 0, 4}, {22, 0, 4}}, 5);
    EXPECT_EQ(hex(tb::response_body(frame, w::ApiKey::kApiVersions, v.version)), hex(v.bytes));
  }
}

}  // namespace
