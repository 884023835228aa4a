// Records for a topic without metadata are parked (accumulator.h), so the
// rest of what their thread produces goes on: one unknown topic no longer
// stops every other topic of the thread (issue 13).  Parked records go out
// in order once the topic is known, time out with the delivery timeout
// when it never is, and are purged at close, each with one report.
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "broker_log.h"
#include "make_producer.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

class ProducerParkingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.start(), "");
    broker_.hide_topic("later", true);
  }

  std::unique_ptr<rk::Producer> make(std::map<std::string, std::string> extra = {}) {
    extra.try_emplace("linger.ms", "0");
    extra.try_emplace("retry.backoff.ms", "10");
    extra.try_emplace("retry.backoff.max.ms", "50");
    auto p = tb::make_producer(rk::Config::durable(), broker_.bootstrap(), extra);
    if (p) {
      orders_ = p->topic("orders").value();
      later_ = p->topic("later").value();
    }
    return p;
  }

  // Polls until `until` says stop or 20 s have passed; reports by topic.
  template <class Until>
  void poll_until(rk::Producer& p, Until&& until) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!until() && std::chrono::steady_clock::now() < deadline) {
      rk::DeliveryReport reports[256];
      const std::size_t n = p.poll(reports);
      for (std::size_t i = 0; i < n; ++i) by_topic_[reports[i].topic.index].push_back(reports[i]);
      if (n == 0) std::this_thread::sleep_for(1ms);
    }
  }

  std::size_t count(rk::Topic t, rk::Errc e) {
    std::size_t n = 0;
    for (const auto& r : by_topic_[t.index]) n += r.error == e ? 1 : 0;
    return n;
  }

  tb::TestBroker broker_{tb::Config{1, {{"orders", 3}, {"later", 1}}, true, 100 << 20}};
  rk::Topic orders_;
  rk::Topic later_;
  std::map<std::uint32_t, std::vector<rk::DeliveryReport>> by_topic_;
};

TEST_F(ProducerParkingTest, ATopicWithoutMetadataDoesNotHoldUpTheThreadsOtherTopics) {
  auto p = make({{"topic.metadata.propagation.max.ms", "60000"}});
  ASSERT_TRUE(p);
  constexpr int kEach = 50;
  for (int i = 0; i < kEach; ++i) {
    ASSERT_EQ(p->produce(later_, "k", std::to_string(i), {.partition = 0}),
              rk::Errc::kOk);
  }
  for (int i = 0; i < kEach; ++i) ASSERT_EQ(p->produce(orders_, "k", "v"), rk::Errc::kOk);
  // Behind the records parked for "later", those for "orders" are delivered.
  poll_until(*p, [&] { return count(orders_, rk::Errc::kOk) == kEach; });
  EXPECT_EQ(count(orders_, rk::Errc::kOk), static_cast<std::size_t>(kEach))
      << "records for a known topic waited behind a topic without metadata";
  EXPECT_TRUE(by_topic_[later_.index].empty()) << "a parked record was reported early";
  // Once the topic is known, its parked records go, in the order produced.
  broker_.hide_topic("later", false);
  poll_until(*p, [&] { return by_topic_[later_.index].size() == kEach; });
  EXPECT_EQ(count(later_, rk::Errc::kOk), static_cast<std::size_t>(kEach));
  const auto log = tb::broker_log(broker_, "later", 1);
  ASSERT_EQ(log.size(), static_cast<std::size_t>(kEach));
  for (int i = 0; i < kEach; ++i) EXPECT_EQ(log[static_cast<std::size_t>(i)].value, std::to_string(i));
}

TEST_F(ProducerParkingTest, ParkedRecordsTimeOutWithTheDeliveryTimeout) {
  auto p = make({{"delivery.timeout.ms", "600"}, {"request.timeout.ms", "500"},
                 {"topic.metadata.propagation.max.ms", "60000"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(p->produce(later_, "k", "v"), rk::Errc::kOk);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(p->produce(orders_, "k", "v"), rk::Errc::kOk);
  poll_until(*p, [&] { return by_topic_[later_.index].size() == 20 && count(orders_, rk::Errc::kOk) == 20; });
  EXPECT_EQ(count(later_, rk::Errc::kMessageTimedOut), 20U);
  EXPECT_EQ(count(orders_, rk::Errc::kOk), 20U);
  EXPECT_TRUE(broker_.batches("later", 0).empty());
}

TEST_F(ProducerParkingTest, CloseReportsEveryParkedRecordAsPurged) {
  auto p = make({{"topic.metadata.propagation.max.ms", "60000"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(p->produce(later_, "k", "v"), rk::Errc::kOk);
  // The sender has parked them when a record behind them is delivered.
  ASSERT_EQ(p->produce(orders_, "k", "v"), rk::Errc::kOk);
  poll_until(*p, [&] { return count(orders_, rk::Errc::kOk) == 1; });
  ASSERT_EQ(count(orders_, rk::Errc::kOk), 1U);
  (void)p->close(0ms);
  poll_until(*p, [&] { return by_topic_[later_.index].size() == 30; });
  EXPECT_EQ(count(later_, rk::Errc::kPurged), 30U);
}

}  // namespace

namespace {

// Parked records may hold all of buffer.memory; their replay needs one
// more buffer to move them into a batch, and the pool keeps a spare for
// it.  Without it this producer (room for one batch buffer) waited until
// the delivery timeout.
TEST_F(ProducerParkingTest, ParkedRecordsThatHoldAllTheBufferMemoryStillGoOut) {
  auto p = make({{"batch.size", "16384"},
                 {"buffer.memory", "33792"},  // one buffer: 2 * batch.size + 1 KiB
                 {"delivery.timeout.ms", "60000"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(p->produce(later_, "k", "v"), rk::Errc::kOk);
  std::this_thread::sleep_for(100ms);  // parked: the topic has no metadata
  broker_.hide_topic("later", false);
  poll_until(*p, [&] { return by_topic_[later_.index].size() == 50; });
  EXPECT_EQ(count(later_, rk::Errc::kOk), 50U);
}

}  // namespace
