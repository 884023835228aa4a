// ringkafka's codecs against the real broker, before there is a producer:
// ApiVersions negotiation, Metadata, InitProducerId and Produce requests
// built by src/wire/ over a plain blocking socket, with batches from the
// RecordBatch writer.  What the broker stored is read back with kcat, a
// client we did not write.
#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"
#include "compress/batch.h"
#include "raw_client.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"
#include "wire/produce.h"
#include "wire/record_batch.h"

namespace rt = ringkafka::testing;
namespace w = ringkafka::wire;

namespace {

struct Record {
  std::string key, value, header_value;
  std::int64_t timestamp;
};

std::vector<Record> make_records(int first, int count, std::int64_t base_ts) {
  std::vector<Record> out;
  for (int i = first; i < first + count; ++i) {
    std::string k = "key-", v = "value-", h = "t-";
    out.push_back({k.append(std::to_string(i)), v.append(std::to_string(i)),
                   i % 3 == 0 ? h.append(std::to_string(i)) : std::string{}, base_ts + i});
  }
  return out;
}

std::vector<std::byte> make_batch(const std::vector<Record>& records,
                                  const w::ProducerFields& producer = {}) {
  std::vector<std::byte> buf(1 << 16);
  w::RecordBatchWriter writer(buf);
  for (const auto& r : records) {
    const w::RecordHeader headers[] = {{"trace", w::NullableBytes::of(r.header_value)}};
    const bool ok = writer.append(r.timestamp, w::NullableBytes::of(r.key),
                                  w::NullableBytes::of(r.value),
                                  r.header_value.empty() ? std::span<const w::RecordHeader>{}
                                                         : std::span<const w::RecordHeader>(headers));
    if (!ok) return {};
  }
  writer.set_producer(producer);
  const auto sealed = writer.seal();
  return {sealed.begin(), sealed.end()};
}

struct Result : w::ProduceResponseVisitor {
  int partitions = 0;
  std::int16_t error = -1;
  std::int64_t base_offset = -2;
  void on_partition(const w::ProducePartitionResponse& p) noexcept override {
    ++partitions;
    error = p.error_code;
    base_offset = p.base_offset;
  }
};

class RawProduce : public ::testing::Test {
 protected:
  void SetUp() override {
    RINGKAFKA_REQUIRE_BROKER(bootstrap_);
    topic_ = rt::unique_topic("raw-produce");
    ASSERT_TRUE(rt::create_topic(topic_, 1));
    const auto error = client_.connect(bootstrap_);
    ASSERT_EQ(error, "");
  }

  Result produce(std::span<const std::byte> batch, std::int16_t acks = -1) {
    Result result;
    EXPECT_EQ(client_.produce(topic_, 0, batch, acks, result), "");
    EXPECT_EQ(result.partitions, 1);
    return result;
  }

  // kcat's view of the topic: offset|key|value|timestamp|headers per record.
  std::vector<std::string> consume() {
    const auto out = rt::run_command("timeout 60 kcat -C -b '" + bootstrap_ + "' -t '" + topic_ +
                                     "' -e -q -f '%o|%k|%s|%T|%h\\n'");
    EXPECT_EQ(out.exit_code, 0);
    std::vector<std::string> lines;
    std::istringstream in(out.output);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static std::string expected_line(std::int64_t offset, const Record& r) {
    std::string s = std::to_string(offset);
    s.append("|").append(r.key).append("|").append(r.value).append("|");
    s.append(std::to_string(r.timestamp)).append("|");
    if (!r.header_value.empty()) s.append("trace=").append(r.header_value);
    return s;
  }

  std::string bootstrap_;
  std::string topic_;
  rt::RawClient client_;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The negotiated version is the newest both speak: 12 for Produce on Kafka
// 4.x (which offers 13), 11 on Kafka 3.9, and never one we do not speak.
TEST_F(RawProduce, NegotiatesTheNewestVersionsBothSidesSpeak) {
  const auto& broker = client_.broker_versions();
  for (auto key : {w::ApiKey::kProduce, w::ApiKey::kMetadata, w::ApiKey::kInitProducerId,
                   w::ApiKey::kFindCoordinator, w::ApiKey::kEndTxn, w::ApiKey::kAddPartitionsToTxn}) {
    const auto ours = w::supported_versions(key);
    const auto theirs = broker.range(key);
    SCOPED_TRACE("api " + std::to_string(static_cast<int>(key)));
    ASSERT_FALSE(theirs.empty());
    EXPECT_EQ(client_.version(key), std::min(ours.max, theirs.max));
    EXPECT_GE(client_.version(key), ours.min);
  }
  if (broker.range(w::ApiKey::kProduce).max >= 12) {
    EXPECT_EQ(client_.version(w::ApiKey::kProduce), 12) << "Kafka 4.x";
  }
}

TEST_F(RawProduce, MetadataNamesTheLeaderOfANewTopic) {
  struct Collector : w::MetadataVisitor {
    int brokers = 0;
    std::int32_t partitions = -1, leader = -2;
    std::int16_t topic_error = -1;
    void on_broker(const w::MetadataBroker&) noexcept override { ++brokers; }
    void on_topic(const w::MetadataTopic& t) noexcept override {
      topic_error = t.error_code;
      partitions = t.partition_count;
    }
    void on_partition(const w::MetadataTopic&, const w::MetadataPartition& p) noexcept override {
      leader = p.leader_id;
    }
  } c;
  const std::int16_t version = client_.version(w::ApiKey::kMetadata);
  std::vector<std::byte> buf(1024);
  w::Writer wr(buf);
  const std::string_view topics[] = {topic_};
  w::MetadataRequest req;
  req.topics = topics;
  ASSERT_TRUE(w::encode_metadata_request(
      wr, {w::ApiKey::kMetadata, version, client_.next_correlation_id(), "ringkafka-test"}, req));
  std::string error;
  const auto body = client_.round_trip(wr.written(), w::ApiKey::kMetadata, version, error);
  ASSERT_EQ(error, "");
  ASSERT_EQ(w::decode_metadata_response(body, version, c), w::DecodeStatus::kOk);
  EXPECT_EQ(c.brokers, 1);
  EXPECT_EQ(c.topic_error, 0);
  EXPECT_EQ(c.partitions, 1);
  EXPECT_GE(c.leader, 0);
}

TEST_F(RawProduce, BatchesReachTheBrokerAndKcatReadsThemBack) {
  const auto records = make_records(0, 20, now_ms());
  const auto batch = make_batch(records);
  ASSERT_FALSE(batch.empty());
  const auto r = produce(batch);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.base_offset, 0);
  const auto lines = consume();
  ASSERT_EQ(lines.size(), records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(lines[i], expected_line(static_cast<std::int64_t>(i), records[i]));
  }
}

// Every codec, as the Java client's consumer side would meet them: kcat
// (librdkafka) must read back every record of every batch, and the broker
// itself validates each batch (it decompresses to check records on append).
TEST_F(RawProduce, CompressedBatchesOfEveryCodecReachTheBrokerAndReadBack) {
  const auto ts = now_ms();
  std::vector<Record> all;
  int first = 0;
  for (auto codec : {w::Compression::kGzip, w::Compression::kSnappy, w::Compression::kLz4,
                     w::Compression::kZstd}) {
    const auto records = make_records(first, 40, ts);
    std::vector<std::byte> buf(1 << 16);
    w::RecordBatchWriter writer(buf);
    for (const auto& r : records) {
      const w::RecordHeader headers[] = {{"trace", w::NullableBytes::of(r.header_value)}};
      ASSERT_TRUE(writer.append(r.timestamp, w::NullableBytes::of(r.key), w::NullableBytes::of(r.value),
                                r.header_value.empty() ? std::span<const w::RecordHeader>{}
                                                       : std::span<const w::RecordHeader>(headers)));
    }
    auto compressor = ringkafka::compress::Compressor::create(codec);
    ASSERT_NE(compressor, nullptr);
    std::vector<std::byte> batch(ringkafka::compress::compressed_batch_bound(writer, *compressor));
    const auto sealed = ringkafka::compress::seal_compressed(writer, *compressor, batch);
    ASSERT_TRUE(sealed.ok());
    batch.resize(sealed.size);
    const auto r = produce(batch);
    EXPECT_EQ(r.error, 0) << "codec " << static_cast<int>(codec);
    EXPECT_EQ(r.base_offset, first);
    all.insert(all.end(), records.begin(), records.end());
    first += 40;
  }
  const auto lines = consume();
  ASSERT_EQ(lines.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(lines[i], expected_line(static_cast<std::int64_t>(i), all[i]));
  }
}

TEST_F(RawProduce, IdempotentBatchesAreSequencedAndAResentBatchIsNotStoredTwice) {
  // A broker that has just started answers COORDINATOR_LOAD_IN_PROGRESS (14)
  // or COORDINATOR_NOT_AVAILABLE (15) until its producer-id block is ready;
  // both are retriable, as the producer will treat them.
  const std::int16_t version = client_.version(w::ApiKey::kInitProducerId);
  w::InitProducerIdResponse id;
  for (int attempt = 0; attempt < 60; ++attempt) {
    std::vector<std::byte> buf(256);
    w::Writer wr(buf);
    ASSERT_TRUE(w::encode_init_producer_id_request(
        wr, {w::ApiKey::kInitProducerId, version, client_.next_correlation_id(), "ringkafka-test"},
        w::InitProducerIdRequest{}));
    std::string error;
    const auto body = client_.round_trip(wr.written(), w::ApiKey::kInitProducerId, version, error);
    ASSERT_EQ(error, "");
    ASSERT_EQ(w::decode_init_producer_id_response(body, version, id), w::DecodeStatus::kOk);
    if (id.error_code != 14 && id.error_code != 15) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(id.error_code, 0);
  ASSERT_GE(id.producer_id, 0);
  ASSERT_GE(id.producer_epoch, 0);

  const auto ts = now_ms();
  const auto first = make_records(0, 10, ts);
  const auto second = make_records(10, 10, ts);
  const auto b1 = make_batch(first, {id.producer_id, id.producer_epoch, 0, false});
  const auto b2 = make_batch(second, {id.producer_id, id.producer_epoch, 10, false});
  EXPECT_EQ(produce(b1).base_offset, 0);
  EXPECT_EQ(produce(b2).base_offset, 10);
  // The same batch again, as a retry after a lost response would send it:
  // the broker answers with the original offset and stores nothing new.
  const auto again = produce(b2);
  EXPECT_EQ(again.error, 0);
  EXPECT_EQ(again.base_offset, 10);
  // A gap in the sequence is refused.
  const auto gap = make_batch(make_records(30, 1, ts), {id.producer_id, id.producer_epoch, 30, false});
  EXPECT_EQ(produce(gap).error, 45) << "OUT_OF_ORDER_SEQUENCE_NUMBER";

  const auto lines = consume();
  ASSERT_EQ(lines.size(), 20U);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(lines[i], expected_line(static_cast<std::int64_t>(i), first[i]));
    EXPECT_EQ(lines[10 + i], expected_line(static_cast<std::int64_t>(10 + i), second[i]));
  }
}

TEST_F(RawProduce, TheBrokerRejectsABatchWhoseCrcDoesNotMatch) {
  auto batch = make_batch(make_records(0, 3, now_ms()));
  ASSERT_FALSE(batch.empty());
  batch.back() ^= std::byte{0x01};  // a record byte, covered by the CRC
  EXPECT_EQ(produce(batch).error, 2) << "CORRUPT_MESSAGE";
  EXPECT_TRUE(consume().empty());
}

}  // namespace
