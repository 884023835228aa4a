// Statistics against real Kafka, checked with kcat: what the snapshot says
// was delivered to each partition is what kcat reads there, each
// partition's leader is a broker the snapshot shows up, lz4 shows a
// compression ratio above 1, idempotence's sequences match the records,
// and the request latencies have samples.  The JSON reads back.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "broker.h"
#include "kcat_reader.h"
#include "reports.h"
#include "ringkafka/producer.h"
#include "ringkafka/statistics.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

TEST(ProducerStatisticsKafka, TheSnapshotAgreesWithWhatKcatReads) {
  std::string bootstrap;
  RINGKAFKA_REQUIRE_BROKER(bootstrap);
  const std::string topic = rt::unique_topic("stats");
  ASSERT_TRUE(rt::create_topic(topic, 3));

  rk::Config config = rk::Config::durable();
  config.bootstrap_servers(bootstrap);
  ASSERT_TRUE(config.set("compression.type", "lz4").ok());
  ASSERT_TRUE(config.set("linger.ms", "20").ok());
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();
  constexpr int kRecords = 600;
  const std::string value(200, 'x');  // compresses well
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_EQ(p.produce(t, key, value), rk::Errc::kOk);
  }
  ASSERT_EQ(p.flush(30s), rk::Errc::kOk);
  const auto reports = rt::await_reports(p, kRecords, 10s);
  ASSERT_EQ(reports.size(), static_cast<std::size_t>(kRecords));

  rk::Statistics s;
  ASSERT_EQ(p.statistics(s), rk::Errc::kOk);
  EXPECT_EQ(s.records_accepted, static_cast<std::uint64_t>(kRecords));
  EXPECT_EQ(s.records_delivered, static_cast<std::uint64_t>(kRecords));
  EXPECT_EQ(s.records_failed, 0U);
  EXPECT_GE(s.producer_id, 0);
  EXPECT_GE(s.rtt.count, s.produce_requests);
  EXPECT_GT(s.report_latency.count, 0U);

  std::map<std::int32_t, const rk::BrokerStats*> nodes;
  for (const rk::BrokerStats& b : s.brokers) {
    if (b.node_id >= 0) nodes[b.node_id] = &b;
  }
  std::vector<rt::KcatRecord> consumed;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap, topic, consumed, kRecords, 30s), "");
  ASSERT_EQ(consumed.size(), static_cast<std::size_t>(kRecords));
  std::map<std::int32_t, std::uint64_t> read;
  for (const rt::KcatRecord& r : consumed) ++read[r.partition];

  ASSERT_EQ(s.partitions.size(), 3U);
  for (const rk::PartitionStats& ps : s.partitions) {
    SCOPED_TRACE(ps.partition);
    EXPECT_EQ(ps.topic, topic);
    EXPECT_EQ(ps.records, read[ps.partition]) << "kcat read another count";
    EXPECT_EQ(static_cast<std::uint64_t>(ps.next_sequence), ps.records);
    EXPECT_GT(ps.compression_ratio, 1.5);
    EXPECT_LT(ps.wire_bytes, ps.bytes);
    ASSERT_TRUE(nodes.count(ps.leader)) << "leader " << ps.leader << " not among the brokers";
    EXPECT_EQ(nodes[ps.leader]->state, "up");
    EXPECT_GE(nodes[ps.leader]->rtt.count, 1U);
  }

  const auto j = nlohmann::json::parse(rk::to_json(s));
  EXPECT_EQ(j["records_delivered"], kRecords);
  EXPECT_EQ(j["partitions"].size(), 3U);
}
