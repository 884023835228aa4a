// The request and response codecs against vectors written by the Java
// client's own message classes (tests/golden/protocol.txt, made by
// tools/golden/ProtocolVectors.java; the values below mirror it).
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "golden.h"
#include "test_bytes.h"
#include "wire/add_partitions_to_txn.h"
#include "wire/api_versions.h"
#include "wire/describe_transactions.h"
#include "wire/end_txn.h"
#include "wire/txn_offsets.h"
#include "wire/find_coordinator.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"
#include "wire/produce.h"
#include "wire/sasl.h"

namespace w = ringkafka::wire;
namespace golden = ringkafka::golden;

namespace {

constexpr std::int32_t kCorrelationId = 7;
constexpr std::string_view kClientId = "ringkafka-test";

struct Vector {
  std::string kind;
  int api = 0;
  std::int16_t version = 0;
  std::string name;
  std::vector<std::byte> bytes;
  std::vector<std::string> fields;
};

std::vector<Vector> vectors(const std::string& kind) {
  std::vector<Vector> out;
  for (const auto& r : golden::rows("protocol.txt")) {
    if (r.at(0) != kind) continue;
    Vector v{r[0], std::stoi(r.at(1)), static_cast<std::int16_t>(std::stoi(r.at(2))), {}, {}, r};
    if (kind != "headers") {
      v.name = r.at(3);
      v.bytes = golden::unhex(r.at(4));
    }
    out.push_back(std::move(v));
  }
  return out;
}

using ringkafka::testing::hex;

w::RequestHeader header(w::ApiKey key, std::int16_t version) {
  return {key, version, kCorrelationId, kClientId};
}

std::vector<std::byte> single_batch() {
  for (const auto& r : golden::rows("record_batches.txt")) {
    if (r.at(0) == "single") return golden::unhex(r.at(10));
  }
  return {};
}

// Encodes the request a vector describes with our codecs; empty on failure.
std::vector<std::byte> encode(const Vector& v) {
  std::vector<std::byte> buf(1 << 16);
  w::Writer wr(buf);
  const auto key = static_cast<w::ApiKey>(v.api);
  const auto h = header(key, v.version);
  static const std::string_view txn = "txn-1";
  bool ok = false;
  switch (key) {
    case w::ApiKey::kApiVersions:
      ok = w::encode_api_versions_request(wr, h, {"ringkafka", "0.1.0"});
      break;
    case w::ApiKey::kMetadata: {
      const std::string_view topics[] = {"orders", "trades"};
      w::MetadataRequest req;
      if (v.name == "all_topics") {
        req.all_topics = true;
      } else {
        req.topics = topics;
      }
      ok = w::encode_metadata_request(wr, h, req);
      break;
    }
    case w::ApiKey::kProduce: {
      static const auto batch = single_batch();
      const w::ProducePartitionData parts[] = {{0, batch}, {2, batch}};
      const w::ProduceTopicData topics[] = {{"orders", parts}};
      w::ProduceRequest req;
      req.transactional_id = v.name == "transactional" ? &txn : nullptr;
      req.acks = -1;
      req.timeout_ms = 30000;
      req.topics = topics;
      ok = w::encode_produce_request(wr, h, req);
      break;
    }
    case w::ApiKey::kInitProducerId: {
      w::InitProducerIdRequest req;
      req.transaction_timeout_ms = 60000;
      if (v.name == "transactional") {
        req.transactional_id = &txn;
      } else if (v.version >= 3) {
        req.producer_id = 1234;
        req.producer_epoch = 5;
      }
      ok = w::encode_init_producer_id_request(wr, h, req);
      break;
    }
    case w::ApiKey::kFindCoordinator:
      ok = w::encode_find_coordinator_request(wr, h, {"txn-1", w::CoordinatorType::kTransaction});
      break;
    case w::ApiKey::kAddPartitionsToTxn: {
      const std::int32_t orders[] = {0, 2};
      const std::int32_t trades[] = {1};
      const w::TxnTopicPartitions topics[] = {{"orders", orders}, {"trades", trades}};
      ok = w::encode_add_partitions_to_txn_request(wr, h, {"txn-1", 1234, 5, topics});
      break;
    }
    case w::ApiKey::kEndTxn:
      ok = w::encode_end_txn_request(wr, h, {"txn-1", 1234, 5, true});
      break;
    case w::ApiKey::kAddOffsetsToTxn:
      ok = w::encode_add_offsets_to_txn_request(wr, h, {"txn-1", 1234, 5, "group-1"});
      break;
    case w::ApiKey::kTxnOffsetCommit: {
      const w::TxnOffset offsets[] = {{0, 42, 3, "m"}, {2, 7, -1, std::nullopt}};
      const w::TxnOffsetTopic topics[] = {{"orders", offsets}};
      w::TxnOffsetCommitRequest req{"txn-1", "group-1", 1234, 5, 9, "member-1", "instance-1", topics};
      ok = w::encode_txn_offset_commit_request(wr, h, req);
      break;
    }
    case w::ApiKey::kDescribeTransactions:
      ok = w::encode_describe_transactions_request(wr, h, "txn-1");
      break;
    case w::ApiKey::kSaslHandshake:
      ok = w::encode_sasl_handshake_request(wr, h, "SCRAM-SHA-512");
      break;
    case w::ApiKey::kSaslAuthenticate: {
      const std::string_view first = "n,,n=alice,r=abc";
      ok = w::encode_sasl_authenticate_request(wr, h, std::as_bytes(std::span(first)));
      break;
    }
  }
  if (!ok) return {};
  const auto out = wr.written();
  return {out.begin(), out.end()};
}

TEST(Protocol, EveryRequestEqualsTheJavaClientsFrame) {
  const auto requests = vectors("request");
  ASSERT_EQ(requests.size(), 58U) << golden::path("protocol.txt");
  for (const auto& v : requests) {
    SCOPED_TRACE("api " + std::to_string(v.api) + " v" + std::to_string(v.version) + " " + v.name);
    const auto ours = encode(v);
    ASSERT_FALSE(ours.empty());
    EXPECT_EQ(hex(ours), hex(v.bytes));
  }
}

TEST(Protocol, HeaderVersionsFollowTheFlexibleVersions) {
  for (const auto& v : vectors("headers")) {
    const auto key = static_cast<w::ApiKey>(v.api);
    SCOPED_TRACE("api " + std::to_string(v.api) + " v" + std::to_string(v.version));
    EXPECT_EQ(w::is_flexible(key, v.version) ? 2 : 1, std::stoi(v.fields.at(3)));
    const int response_header =
        key != w::ApiKey::kApiVersions && w::is_flexible(key, v.version) ? 1 : 0;
    EXPECT_EQ(response_header, std::stoi(v.fields.at(4)));
  }
}

TEST(Protocol, RequestsRefuseVersionsOutsideTheSupportedRange) {
  std::vector<std::byte> buf(1024);
  w::Writer wr(buf);
  EXPECT_FALSE(w::encode_metadata_request(wr, header(w::ApiKey::kMetadata, 8), {}));
  EXPECT_FALSE(w::encode_produce_request(wr, header(w::ApiKey::kProduce, 2), {}));
  EXPECT_FALSE(w::encode_produce_request(wr, header(w::ApiKey::kProduce, 13), {}));
  EXPECT_FALSE(w::encode_end_txn_request(wr, header(w::ApiKey::kMetadata, 3), {}));
}

TEST(Protocol, RequestIntoTooSmallABufferFails) {
  const auto v = vectors("request").front();
  std::vector<std::byte> buf(v.bytes.size() - 1);
  w::Writer wr(buf);
  EXPECT_FALSE(w::encode_api_versions_request(wr, header(w::ApiKey::kApiVersions, v.version),
                                              {"ringkafka", "0.1.0"}));
}

// --- responses ---------------------------------------------------------------

struct MetadataCollector : w::MetadataVisitor {
  std::vector<w::MetadataBroker> brokers;
  std::vector<w::MetadataTopic> topics;
  std::vector<w::MetadataPartition> partitions;
  w::MetadataCluster cluster;
  int clusters = 0;
  void on_broker(const w::MetadataBroker& b) noexcept override { brokers.push_back(b); }
  void on_topic(const w::MetadataTopic& t) noexcept override { topics.push_back(t); }
  void on_partition(const w::MetadataTopic&, const w::MetadataPartition& p) noexcept override {
    partitions.push_back(p);
  }
  void on_cluster(const w::MetadataCluster& c) noexcept override {
    cluster = c;
    ++clusters;
  }
};

struct ProduceCollector : w::ProduceResponseVisitor {
  std::vector<w::ProducePartitionResponse> partitions;
  std::vector<w::ProduceRecordError> record_errors;
  std::vector<w::ProduceNodeEndpoint> endpoints;
  std::int32_t throttle = -1;
  void on_partition(const w::ProducePartitionResponse& p) noexcept override {
    partitions.push_back(p);
  }
  void on_record_error(const w::ProduceRecordError& e) noexcept override {
    record_errors.push_back(e);
  }
  void on_node_endpoint(const w::ProduceNodeEndpoint& e) noexcept override {
    endpoints.push_back(e);
  }
  void on_throttle(std::int32_t t) noexcept override { throttle = t; }
};

struct TxnCollector : w::PartitionErrorVisitor {
  std::map<std::pair<std::string, std::int32_t>, std::int16_t> errors;
  void on_partition(std::string_view topic, std::int32_t partition,
                    std::int16_t error) noexcept override {
    errors[{std::string(topic), partition}] = error;
  }
};

// Decodes a response vector and checks its values; returns the status so
// the truncation test can reuse it.
w::DecodeStatus decode_and_check(const Vector& v, std::span<const std::byte> body, bool check) {
  const auto key = static_cast<w::ApiKey>(v.api);
  switch (key) {
    case w::ApiKey::kApiVersions: {
      w::ApiVersionsResponse r;
      const auto s = w::decode_api_versions_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.error_code, 0);
        EXPECT_EQ(r.range(w::ApiKey::kProduce).max, 12);
        EXPECT_EQ(r.range(w::ApiKey::kMetadata).max, 13);
        EXPECT_EQ(r.range(w::ApiKey::kInitProducerId).max, 4);
        EXPECT_TRUE(r.range(w::ApiKey::kEndTxn).empty());
        EXPECT_EQ(r.throttle_time_ms, v.version >= 1 ? 5 : 0);
        // FinalizedFeatures (tagged, v3+): transaction.version 2 at epoch 42.
        EXPECT_EQ(r.transaction_version, v.version >= 3 ? 2 : 0);
        EXPECT_EQ(w::negotiate_version(w::ApiKey::kProduce, r), 12);
        EXPECT_EQ(w::negotiate_version(w::ApiKey::kMetadata, r), 12);
        EXPECT_EQ(w::negotiate_version(w::ApiKey::kInitProducerId, r), 4);
        EXPECT_EQ(w::negotiate_version(w::ApiKey::kEndTxn, r), -1);
      }
      return s;
    }
    case w::ApiKey::kMetadata: {
      MetadataCollector c;
      const auto s = w::decode_metadata_response(body, v.version, c);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(c.cluster.throttle_time_ms, 1);
        EXPECT_EQ(c.cluster.cluster_id, "cluster-xyz");
        EXPECT_EQ(c.cluster.controller_id, 2);
        EXPECT_EQ(c.clusters, 1);
        if (c.brokers.size() == 2) {
          EXPECT_EQ(c.brokers[0].node_id, 1);
          EXPECT_EQ(c.brokers[0].host, "127.0.0.1");
          EXPECT_EQ(c.brokers[0].port, 9092);
          EXPECT_EQ(c.brokers[0].rack, "");
          EXPECT_EQ(c.brokers[1].host, "host2");
          EXPECT_EQ(c.brokers[1].rack, "rack-a");
        } else {
          ADD_FAILURE() << "brokers: " << c.brokers.size();
        }
        if (c.topics.size() == 2 && c.partitions.size() == 2) {
          EXPECT_EQ(c.topics[0].name, "orders");
          EXPECT_EQ(c.topics[0].partition_count, 2);
          EXPECT_EQ(c.topics[0].topic_id[0], (v.version >= 10 ? std::byte{1} : std::byte{0}));
          EXPECT_EQ(c.topics[0].topic_id[15], (v.version >= 10 ? std::byte{0x10} : std::byte{0}));
          EXPECT_EQ(c.topics[1].name, "missing");
          EXPECT_EQ(c.topics[1].error_code, 3);
          EXPECT_EQ(c.partitions[0].leader_id, 1);
          EXPECT_EQ(c.partitions[0].leader_epoch, 7);
          EXPECT_EQ(c.partitions[1].partition, 1);
          EXPECT_EQ(c.partitions[1].leader_id, 2);
          EXPECT_EQ(c.partitions[1].replica_count, 2);
          EXPECT_EQ(c.partitions[1].isr_count, 1);
          EXPECT_EQ(c.partitions[1].offline_replica_count, 1);
        } else {
          ADD_FAILURE() << "topics " << c.topics.size() << " partitions " << c.partitions.size();
        }
      }
      return s;
    }
    case w::ApiKey::kProduce: {
      ProduceCollector c;
      const auto s = w::decode_produce_response(body, v.version, c);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(c.throttle, 0);
        if (c.partitions.size() == 2) {
          EXPECT_EQ(c.partitions[0].topic, "orders");
          EXPECT_EQ(c.partitions[0].partition, 0);
          EXPECT_EQ(c.partitions[0].error_code, 0);
          EXPECT_EQ(c.partitions[0].base_offset, 100);
          EXPECT_EQ(c.partitions[0].log_start_offset, v.version >= 5 ? 0 : -1);
          EXPECT_EQ(c.partitions[1].partition, 2);
          EXPECT_EQ(c.partitions[1].error_code, 6);
          EXPECT_EQ(c.partitions[1].error_message, v.version >= 8 ? "not leader" : "");
          EXPECT_EQ(c.partitions[1].current_leader_id, v.version >= 10 ? 2 : -1);
          EXPECT_EQ(c.partitions[1].current_leader_epoch, v.version >= 10 ? 9 : -1);
        } else {
          ADD_FAILURE() << "partitions: " << c.partitions.size();
        }
        EXPECT_EQ(c.record_errors.size(), v.version >= 8 ? 1U : 0U);
        if (!c.record_errors.empty()) {
          EXPECT_EQ(c.record_errors[0].batch_index, 3);
          EXPECT_EQ(c.record_errors[0].message, "bad record");
        }
        EXPECT_EQ(c.endpoints.size(), v.version >= 10 ? 1U : 0U);
        if (!c.endpoints.empty()) {
          EXPECT_EQ(c.endpoints[0].node_id, 2);
          EXPECT_EQ(c.endpoints[0].host, "host2");
          EXPECT_EQ(c.endpoints[0].port, 9093);
          EXPECT_EQ(c.endpoints[0].rack, "rack-a");
        }
      }
      return s;
    }
    case w::ApiKey::kInitProducerId: {
      w::InitProducerIdResponse r;
      const auto s = w::decode_init_producer_id_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.throttle_time_ms, 3);
        EXPECT_EQ(r.producer_id, 1234);
        EXPECT_EQ(r.producer_epoch, 6);
      }
      return s;
    }
    case w::ApiKey::kFindCoordinator: {
      w::FindCoordinatorResponse r;
      const auto s = w::decode_find_coordinator_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.throttle_time_ms, 4);
        EXPECT_EQ(r.node_id, 2);
        EXPECT_EQ(r.host, "host2");
        EXPECT_EQ(r.port, 9093);
        EXPECT_EQ(r.key, v.version >= 4 ? "txn-1" : "");
      }
      return s;
    }
    case w::ApiKey::kAddPartitionsToTxn: {
      TxnCollector c;
      std::int32_t throttle = -1;
      const auto s = w::decode_add_partitions_to_txn_response(body, v.version, throttle, c);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(throttle, 2);
        EXPECT_EQ(c.errors.size(), 3U);
        EXPECT_EQ((c.errors[{"orders", 2}]), 0);
        EXPECT_EQ((c.errors[{"trades", 1}]), 53);
      }
      return s;
    }
    case w::ApiKey::kEndTxn: {
      w::EndTxnResponse r;
      const auto s = w::decode_end_txn_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.throttle_time_ms, 1);
        EXPECT_EQ(r.error_code, 48);
        // The epoch for the next transaction: v5 only.
        EXPECT_EQ(r.producer_id, v.version >= 5 ? 1234 : -1);
        EXPECT_EQ(r.producer_epoch, v.version >= 5 ? 6 : -1);
      }
      return s;
    }
    case w::ApiKey::kAddOffsetsToTxn: {
      std::int16_t error = -1;
      const auto s = w::decode_add_offsets_to_txn_response(body, v.version, error);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(error, 51);
      }
      return s;
    }
    case w::ApiKey::kTxnOffsetCommit: {
      TxnCollector c;
      const auto s = w::decode_txn_offset_commit_response(body, v.version, c);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(c.errors.size(), 2U);
        EXPECT_EQ((c.errors[{"orders", 0}]), 0);
        EXPECT_EQ((c.errors[{"orders", 2}]), 22);
      }
      return s;
    }
    case w::ApiKey::kDescribeTransactions: {
      w::DescribeTransactionsResponse r;
      const auto s = w::decode_describe_transactions_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        // The first of the two states: ours.
        EXPECT_EQ(r.throttle_time_ms, 4);
        EXPECT_EQ(r.error_code, 0);
        EXPECT_EQ(r.transactional_id, "txn-1");
        EXPECT_EQ(r.state, "PrepareCommit");
        EXPECT_TRUE(w::transaction_completing(r.state));
        EXPECT_EQ(r.producer_id, 1234);
        EXPECT_EQ(r.producer_epoch, 6);
      }
      return s;
    }
    case w::ApiKey::kSaslHandshake: {
      w::SaslHandshakeResponse r;
      const auto s = w::decode_sasl_handshake_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.error_code, 33);  // UNSUPPORTED_SASL_MECHANISM
        EXPECT_EQ(r.mechanism_count, 2U);
        EXPECT_EQ(r.mechanisms[0], "PLAIN");
        EXPECT_EQ(r.mechanisms[1], "SCRAM-SHA-256");
      }
      return s;
    }
    case w::ApiKey::kSaslAuthenticate: {
      w::SaslAuthenticateResponse r;
      const auto s = w::decode_sasl_authenticate_response(body, v.version, r);
      if (check && s == w::DecodeStatus::kOk) {
        EXPECT_EQ(r.error_code, 58);  // SASL_AUTHENTICATION_FAILED
        EXPECT_EQ(r.error_message, "Authentication failed: Invalid username or password");
        EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r.auth_bytes.data()), r.auth_bytes.size()),
                  "r=abcdef,s=c2FsdA==,i=4096");
        EXPECT_EQ(r.session_lifetime_ms, v.version >= 1 ? 3600000 : 0);
      }
      return s;
    }
  }
  return w::DecodeStatus::kMalformed;
}

TEST(Protocol, EveryResponseOfTheJavaClientDecodesToItsValues) {
  const auto responses = vectors("response");
  ASSERT_EQ(responses.size(), 40U);
  for (const auto& v : responses) {
    SCOPED_TRACE("api " + std::to_string(v.api) + " v" + std::to_string(v.version));
    EXPECT_EQ(decode_and_check(v, v.bytes, true), w::DecodeStatus::kOk);
  }
}

// Each truncation of each response fails without reading past the end (the
// copy is exactly the truncated length, for AddressSanitizer), and a byte
// more than the message is reported, not ignored.
TEST(Protocol, TruncatedOrOverlongResponsesAreRejected) {
  for (const auto& v : vectors("response")) {
    SCOPED_TRACE("api " + std::to_string(v.api) + " v" + std::to_string(v.version));
    for (std::size_t len = 0; len < v.bytes.size(); ++len) {
      std::vector<std::byte> cut(v.bytes.begin(), v.bytes.begin() + static_cast<std::ptrdiff_t>(len));
      ASSERT_NE(decode_and_check(v, cut, false), w::DecodeStatus::kOk) << "length " << len;
    }
    auto longer = v.bytes;
    longer.push_back(std::byte{0});
    EXPECT_EQ(decode_and_check(v, longer, false), w::DecodeStatus::kTrailingBytes);
  }
}

TEST(Protocol, ResponseHeadersAndFrameSizes) {
  using ringkafka::testing::bytes;
  const auto flexible = bytes({0, 0, 0, 7, 0});
  w::Reader r1(flexible);
  w::ResponseHeader h;
  EXPECT_EQ(w::read_response_header(r1, w::ApiKey::kProduce, 9, h), w::DecodeStatus::kOk);
  EXPECT_EQ(h.correlation_id, 7);
  EXPECT_EQ(r1.remaining(), 0U);
  // ApiVersions keeps header v0 even at flexible versions: no tag byte read.
  w::Reader r2(flexible);
  EXPECT_EQ(w::read_response_header(r2, w::ApiKey::kApiVersions, 3, h), w::DecodeStatus::kOk);
  EXPECT_EQ(r2.remaining(), 1U);
  w::Reader r3(std::span<const std::byte>(flexible).first(3));
  EXPECT_EQ(w::read_response_header(r3, w::ApiKey::kProduce, 9, h), w::DecodeStatus::kMalformed);

  EXPECT_EQ(w::check_frame_size(-1, 1 << 20), w::DecodeStatus::kFrameTooLarge);
  EXPECT_EQ(w::check_frame_size((1 << 20) + 1, 1 << 20), w::DecodeStatus::kFrameTooLarge);
  EXPECT_EQ(w::check_frame_size(0, 1 << 20), w::DecodeStatus::kOk);
  EXPECT_EQ(w::check_frame_size(1 << 20, 1 << 20), w::DecodeStatus::kOk);
}

TEST(Protocol, DecodersRefuseVersionsOutsideTheSupportedRange) {
  MetadataCollector m;
  ProduceCollector p;
  w::InitProducerIdResponse ipr;
  EXPECT_EQ(w::decode_metadata_response({}, 13, m), w::DecodeStatus::kUnsupportedVersion);
  EXPECT_EQ(w::decode_produce_response({}, 13, p), w::DecodeStatus::kUnsupportedVersion);
  EXPECT_EQ(w::decode_init_producer_id_response({}, 6, ipr), w::DecodeStatus::kUnsupportedVersion);
}

}  // namespace
