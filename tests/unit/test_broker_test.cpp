// The scriptable test broker does what tests will rely on: answers like a
// cluster, validates batches and sequences, and misbehaves on cue.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "../integration/raw_client.h"
#include "compress/batch.h"
#include "wire/byte_order.h"
#include "wire/crc32c.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"
#include "wire/record_batch.h"

namespace tb = ringkafka::test_broker;
namespace rt = ringkafka::testing;
namespace w = ringkafka::wire;

namespace {

std::vector<std::byte> batch(int records, const w::ProducerFields& producer = {}) {
  std::vector<std::byte> buf(1 << 14);
  w::RecordBatchWriter writer(buf);
  for (int i = 0; i < records; ++i) {
    std::string v = "value-";
    v.append(std::to_string(i));
    if (!writer.append(1000 + i, w::NullableBytes::of("key"), w::NullableBytes::of(v))) return {};
  }
  writer.set_producer(producer);
  const auto s = writer.seal();
  return {s.begin(), s.end()};
}

struct Answer : w::ProduceResponseVisitor {
  int partitions = 0;
  w::ProducePartitionResponse last;
  std::vector<w::ProduceNodeEndpoint> endpoints;
  void on_partition(const w::ProducePartitionResponse& p) noexcept override {
    ++partitions;
    last = p;
  }
  void on_node_endpoint(const w::ProduceNodeEndpoint& e) noexcept override { endpoints.push_back(e); }
};

class TestBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.start(), "");
    ASSERT_EQ(client_.connect("127.0.0.1:" + std::to_string(broker_.port(1))), "");
  }

  Answer produce(std::int32_t partition, std::span<const std::byte> b, rt::RawClient* client = nullptr) {
    Answer a;
    const auto error = (client != nullptr ? *client : client_).produce("orders", partition, b, -1, a);
    EXPECT_EQ(error, "");
    EXPECT_EQ(a.partitions, error.empty() ? 1 : 0);
    return a;
  }

  w::InitProducerIdResponse init_producer_id(std::int64_t id = -1, std::int16_t epoch = -1) {
    const auto v = client_.version(w::ApiKey::kInitProducerId);
    std::vector<std::byte> buf(256);
    w::Writer wr(buf);
    w::InitProducerIdRequest req;
    req.producer_id = id;
    req.producer_epoch = epoch;
    EXPECT_TRUE(w::encode_init_producer_id_request(
        wr, {w::ApiKey::kInitProducerId, v, client_.next_correlation_id(), "t"}, req));
    std::string error;
    const auto body = client_.round_trip(wr.written(), w::ApiKey::kInitProducerId, v, error);
    EXPECT_EQ(error, "");
    w::InitProducerIdResponse r;
    EXPECT_EQ(w::decode_init_producer_id_response(body, v, r), w::DecodeStatus::kOk);
    return r;
  }

  tb::TestBroker broker_{tb::Config{3, {{"orders", 3}}, true, 100 << 20}};
  rt::RawClient client_;
};

TEST_F(TestBrokerTest, AnswersLikeAThreeBrokerCluster) {
  EXPECT_EQ(client_.version(w::ApiKey::kProduce), 12);
  struct Md : w::MetadataVisitor {
    int brokers = 0;
    std::vector<std::int32_t> leaders;
    std::int16_t missing_error = 0;
    void on_broker(const w::MetadataBroker&) noexcept override { ++brokers; }
    void on_topic(const w::MetadataTopic& t) noexcept override {
      if (t.name == "nope") missing_error = t.error_code;
    }
    void on_partition(const w::MetadataTopic&, const w::MetadataPartition& p) noexcept override {
      leaders.push_back(p.leader_id);
    }
  } md;
  const auto v = client_.version(w::ApiKey::kMetadata);
  std::vector<std::byte> buf(512);
  w::Writer wr(buf);
  const std::string_view topics[] = {"orders", "nope"};
  w::MetadataRequest req;
  req.topics = topics;
  ASSERT_TRUE(w::encode_metadata_request(wr, {w::ApiKey::kMetadata, v, client_.next_correlation_id(), "t"}, req));
  std::string error;
  const auto body = client_.round_trip(wr.written(), w::ApiKey::kMetadata, v, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(w::decode_metadata_response(body, v, md), w::DecodeStatus::kOk);
  EXPECT_EQ(md.brokers, 3);
  EXPECT_EQ(md.leaders, (std::vector<std::int32_t>{1, 2, 3}));
  EXPECT_EQ(md.missing_error, 3) << "UNKNOWN_TOPIC_OR_PARTITION";
}

TEST_F(TestBrokerTest, StoresValidBatchesAtIncreasingOffsets) {
  EXPECT_EQ(produce(0, batch(5)).last.base_offset, 0);
  EXPECT_EQ(produce(0, batch(3)).last.base_offset, 5);
  EXPECT_EQ(broker_.high_watermark("orders", 0), 8);
  const auto stored = broker_.batches("orders", 0);
  ASSERT_EQ(stored.size(), 2U);
  EXPECT_EQ(stored[1].base_offset, 5);
  EXPECT_EQ(stored[1].header.record_count, 3);
  EXPECT_EQ(stored[1].bytes, batch(3));
  const auto c = broker_.counters();
  EXPECT_EQ(c.produce_requests, 2U);
  EXPECT_EQ(c.records, 8U);
}

TEST_F(TestBrokerTest, RejectsCorruptBatchesAndSaysWhy) {
  auto b = batch(2);
  b.back() ^= std::byte{1};
  EXPECT_EQ(produce(0, b).last.error_code, 2) << "CORRUPT_MESSAGE";
  const auto errors = broker_.validation_errors();
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0], "orders-0: CRC32C mismatch");
  EXPECT_EQ(broker_.high_watermark("orders", 0), 0);
}

TEST_F(TestBrokerTest, NotTheLeaderAnswersWithTheLeader) {
  const auto a = produce(1, batch(1));  // partition 1 is led by node 2
  EXPECT_EQ(a.last.error_code, 6) << "NOT_LEADER_OR_FOLLOWER";
  EXPECT_EQ(a.last.current_leader_id, 2);
  ASSERT_EQ(a.endpoints.size(), 1U);
  EXPECT_EQ(a.endpoints[0].port, broker_.port(2));
}

TEST_F(TestBrokerTest, TracksProducerSequencesLikeKafka) {
  const auto id = init_producer_id();
  ASSERT_EQ(id.error_code, 0);
  const auto b0 = batch(4, {id.producer_id, id.producer_epoch, 0, false});
  EXPECT_EQ(produce(0, b0).last.base_offset, 0);
  EXPECT_EQ(produce(0, batch(2, {id.producer_id, id.producer_epoch, 4, false})).last.base_offset, 4);
  // A retry of a stored batch: its first offset, nothing stored again.
  const auto retry = produce(0, b0);
  EXPECT_EQ(retry.last.error_code, 0);
  EXPECT_EQ(retry.last.base_offset, 0);
  EXPECT_EQ(broker_.high_watermark("orders", 0), 6);
  // A gap.
  EXPECT_EQ(produce(0, batch(1, {id.producer_id, id.producer_epoch, 9, false})).last.error_code, 45);
  // KIP-360: bump the epoch, sequences restart at 0; the old epoch is fenced.
  const auto bumped = init_producer_id(id.producer_id, id.producer_epoch);
  EXPECT_EQ(bumped.producer_id, id.producer_id);
  EXPECT_EQ(bumped.producer_epoch, id.producer_epoch + 1);
  EXPECT_EQ(produce(0, batch(1, {id.producer_id, bumped.producer_epoch, 0, false})).last.error_code, 0);
  EXPECT_EQ(produce(0, batch(1, {id.producer_id, id.producer_epoch, 6, false})).last.error_code, 47);
}

TEST_F(TestBrokerTest, ScriptedErrorsThenSuccess) {
  broker_.fail_produce("orders", 0, 19, 2);  // NOT_ENOUGH_REPLICAS twice
  EXPECT_EQ(produce(0, batch(1)).last.error_code, 19);
  EXPECT_EQ(produce(0, batch(1)).last.error_code, 19);
  EXPECT_EQ(produce(0, batch(1)).last.error_code, 0);
  EXPECT_EQ(broker_.high_watermark("orders", 0), 1);
}

TEST_F(TestBrokerTest, LeaderMoves) {
  broker_.move_leader("orders", 0, 3);
  const auto a = produce(0, batch(1));
  EXPECT_EQ(a.last.error_code, 6);
  EXPECT_EQ(a.last.current_leader_id, 3);
  EXPECT_EQ(a.last.current_leader_epoch, 1);
  rt::RawClient node3;
  ASSERT_EQ(node3.connect("127.0.0.1:" + std::to_string(broker_.port(3))), "");
  EXPECT_EQ(produce(0, batch(1), &node3).last.error_code, 0);
}

TEST_F(TestBrokerTest, DroppedResponsesStoreButNeverAnswer) {
  broker_.drop_responses(1, 1);
  client_.set_timeout_ms(300);
  Answer a;
  EXPECT_NE(client_.produce("orders", 0, batch(2), -1, a), "");
  EXPECT_EQ(a.partitions, 0);
  EXPECT_EQ(broker_.high_watermark("orders", 0), 2) << "the broker has the batch";
}

TEST_F(TestBrokerTest, DelayedResponsesArriveLate) {
  broker_.delay_responses(1, std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(produce(0, batch(1)).last.error_code, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST_F(TestBrokerTest, ConnectionsAreCutAfterScriptedBytes) {
  broker_.close_after_bytes(1, 20);
  rt::RawClient cut;
  EXPECT_NE(cut.connect("127.0.0.1:" + std::to_string(broker_.port(1))), "")
      << "the ApiVersions request is longer than 20 bytes: the broker hangs up mid-request";
  // Only that connection was cut.
  EXPECT_EQ(produce(0, batch(1)).last.error_code, 0);
}

TEST_F(TestBrokerTest, ChecksTheRecordsInsideCompressedBatches) {
  for (auto codec : {w::Compression::kGzip, w::Compression::kSnappy, w::Compression::kLz4,
                     w::Compression::kZstd}) {
    std::vector<std::byte> buf(1 << 14);
    w::RecordBatchWriter writer(buf);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(writer.append(1000 + i, w::NullableBytes::of("key"), w::NullableBytes::of("a fairly repetitive value")));
    }
    auto compressor = ringkafka::compress::Compressor::create(codec);
    ASSERT_NE(compressor, nullptr);
    std::vector<std::byte> out(ringkafka::compress::compressed_batch_bound(writer, *compressor));
    const auto r = ringkafka::compress::seal_compressed(writer, *compressor, out);
    ASSERT_TRUE(r.ok());
    out.resize(r.size);
    EXPECT_EQ(produce(0, out).last.error_code, 0) << static_cast<int>(codec);

    // The same batch with garbage where the compressed records were, and a
    // CRC made to match: only decompressing shows it is bad.
    for (std::size_t i = w::kRecordBatchHeaderSize; i < out.size(); ++i) out[i] = std::byte{0x5a};
    w::store_be(out.data() + 17, w::crc32c(std::span<const std::byte>(out).subspan(21)));
    EXPECT_EQ(produce(0, out).last.error_code, 2) << static_cast<int>(codec);
  }
  EXPECT_EQ(broker_.high_watermark("orders", 0), 200);
  const auto errors = broker_.validation_errors();
  ASSERT_EQ(errors.size(), 4U);
  EXPECT_NE(errors[0].find("malformed records"), std::string::npos) << errors[0];
}

}  // namespace
