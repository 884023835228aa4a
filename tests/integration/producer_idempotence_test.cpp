// The idempotent producer against real Kafka when a batch is refused: the
// lost batch's sequence numbers never reach the broker, so the producer
// must renew its producer id or epoch and restart the partition's
// sequences (KIP-360), or every later record would fail with
// OUT_OF_ORDER_SEQUENCE_NUMBER.  Checked with kcat.
#include <chrono>
#include <map>
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

std::vector<rk::DeliveryReport> collect(rk::Producer& p, std::size_t n) {
  return rt::await_reports(p, n, 30s);
}

TEST(ProducerIdempotence, ABatchTheBrokerRefusesDoesNotBreakThePartition) {
  std::string bootstrap;
  RINGKAFKA_REQUIRE_BROKER(bootstrap);
  const std::string topic = rt::unique_topic("idem-refused");
  // Batches over 1000 bytes are refused with MESSAGE_TOO_LARGE.
  ASSERT_TRUE(rt::create_topic(topic, 1, 1, {"max.message.bytes=1000"}));

  auto config = rk::Config::durable();
  config.bootstrap_servers(bootstrap);
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  auto& p = *made.value();
  const auto t = p.topic(topic).value();

  ASSERT_EQ(p.produce(t, rk::Bytes::null(), "before"), rk::Errc::kOk);
  ASSERT_EQ(collect(p, 1).at(0).error, rk::Errc::kOk);
  const std::string big(5000, 'x');
  ASSERT_EQ(p.produce(t, rk::Bytes::null(), big), rk::Errc::kOk);
  const auto refused = collect(p, 1);
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].error, rk::Errc::kBroker);
  EXPECT_EQ(refused[0].kafka_error, 10);  // MESSAGE_TOO_LARGE

  // Small batches after it: each must be written, once.
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(p.produce(t, rk::Bytes::null(), std::string("after-").append(std::to_string(round * 10 + i))),
                rk::Errc::kOk);
    }
    const auto reports = collect(p, 10);
    ASSERT_EQ(reports.size(), 10U);
    for (const auto& r : reports) ASSERT_TRUE(r.ok()) << r.message << " kafka " << r.kafka_error;
  }
  ASSERT_EQ(p.close(10s), rk::Errc::kOk);

  std::vector<rt::KcatRecord> records;
  ASSERT_EQ(rt::kcat_read_topic(bootstrap, topic, records, 101), "");
  ASSERT_EQ(records.size(), 101U);
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r.value.value_or("(null)")];
  EXPECT_EQ(seen["before"], 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[std::string("after-").append(std::to_string(i))], 1) << i;
  EXPECT_EQ(seen.count(big), 0U);
}

}  // namespace
