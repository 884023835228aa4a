// The producer against real Kafka through a TCP fault proxy (fault_proxy.h)
// that cuts connections in the middle of a Produce request, swallows
// Produce answers the broker has already written, and holds answers back
// past request.timeout.ms.  kcat reads the topic back and the ledger
// (ledger.h) is checked: with idempotence nothing is lost or duplicated and
// each partition keeps its order; without it, every record reported
// delivered is there and the duplicates that at-least-once allows are
// counted and shown.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "broker.h"
#include "fault_proxy.h"
#include "kcat_reader.h"
#include "ledger.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kPartitions = 4;

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RINGKAFKA_REQUIRE_BROKER(bootstrap_);
    // The proxy speaks to one broker: the first of the bootstrap list.
    proxy_ = std::make_unique<rt::FaultProxy>(bootstrap_.substr(0, bootstrap_.find(',')));
    ASSERT_NE(proxy_->address(), "");
    topic_ = rt::unique_topic("proxy");
    ASSERT_TRUE(rt::create_topic(topic_, kPartitions));
  }

  std::unique_ptr<rk::Producer> make(rk::Config config) {
    config.bootstrap_servers(proxy_->address());
    for (const auto& [k, v] : {std::pair{"request.timeout.ms", "1500"},
                               std::pair{"delivery.timeout.ms", "60000"},
                               std::pair{"retry.backoff.ms", "20"},
                               std::pair{"reconnect.backoff.ms", "20"}}) {
      EXPECT_TRUE(config.set(k, v).ok()) << k;
    }
    auto made = rk::Producer::create(config);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    if (!made.ok()) return nullptr;
    t_ = made.value()->topic(topic_).value();
    return std::move(made.value());
  }

  // Produces `n` records, round robin over the partitions, 1 ms apart, so
  // that a fault set before lands among requests in flight.
  void produce(rk::Producer& p, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = ledger_.sent();
      const auto partition = static_cast<std::int32_t>(i % kPartitions);
      ASSERT_EQ(ledger_.produce(p, t_, partition), rk::Errc::kOk) << "record " << i;
      ledger_.poll(p);
      if ((k & 7) == 7) std::this_thread::sleep_for(1ms);
    }
  }

  rt::Ledger::Figures finish(rk::Producer& p, bool exactly_once, const char* name) {
    EXPECT_EQ(p.flush(60s), rk::Errc::kOk);
    ledger_.await(p, 10s);
    std::vector<rt::KcatRecord> consumed;
    EXPECT_EQ(rt::kcat_read_topic(bootstrap_, topic_, consumed, ledger_.sent(), 30s), "");
    const auto f = ledger_.check(consumed, exactly_once);
    const auto c = proxy_->counters();
    std::printf("proxy (%s): sent %zu, delivered %zu, failed with a report %zu, consumed %zu, "
                "lost %zu, duplicated %zu; proxy cut %llu, dropped %llu, delayed %llu\n",
                name, f.sent, f.delivered, f.failed, f.consumed, f.lost, f.duplicated,
                static_cast<unsigned long long>(c.cut), static_cast<unsigned long long>(c.dropped),
                static_cast<unsigned long long>(c.delayed));
    RecordProperty("duplicated", static_cast<int>(f.duplicated));
    return f;
  }

  std::string bootstrap_;
  std::unique_ptr<rt::FaultProxy> proxy_;
  std::string topic_;
  rk::Topic t_;
  rt::Ledger ledger_;
};

TEST_F(ProxyTest, ConnectionsCutMidRequestLoseAndDuplicateNothing) {
  auto p = make(rk::Config::durable());
  ASSERT_TRUE(p);
  produce(*p, 200);
  for (int round = 0; round < 3; ++round) {
    proxy_->cut_produce_requests(1);
    produce(*p, 300);
  }
  const auto f = finish(*p, true, "cut mid-request, durable");
  EXPECT_EQ(f.delivered, f.sent);
  EXPECT_EQ(proxy_->counters().cut, 3U);
  EXPECT_GT(proxy_->counters().connections, 1U);
}

TEST_F(ProxyTest, AnswersLostAfterTheBrokerWroteAreNotDuplicatedWithIdempotence) {
  auto p = make(rk::Config::durable());
  ASSERT_TRUE(p);
  produce(*p, 200);
  for (int round = 0; round < 3; ++round) {
    proxy_->drop_produce_responses(2);  // inside the broker's 5-batch window
    produce(*p, 300);
  }
  const auto f = finish(*p, true, "answers lost, durable");
  EXPECT_EQ(f.delivered, f.sent);
  EXPECT_EQ(proxy_->counters().dropped, 6U);
}

TEST_F(ProxyTest, AnswersLostWithoutIdempotenceAreAtLeastOnceAndTheDuplicatesCounted) {
  auto p = make(rk::Config::low_latency());
  ASSERT_TRUE(p);
  produce(*p, 200);
  for (int round = 0; round < 3; ++round) {
    proxy_->drop_produce_responses(2);
    produce(*p, 300);
  }
  const auto f = finish(*p, false, "answers lost, low_latency");
  EXPECT_EQ(f.delivered, f.sent);
  // The broker wrote each unanswered request, and its retry wrote it again.
  EXPECT_GE(f.duplicated, 1U);
}

TEST_F(ProxyTest, AnswersSlowerThanRequestTimeoutLoseAndDuplicateNothing) {
  auto p = make(rk::Config::durable());
  ASSERT_TRUE(p);
  produce(*p, 200);
  proxy_->delay_produce_responses(2500ms);  // request.timeout.ms is 1500
  produce(*p, 200);
  std::this_thread::sleep_for(3s);
  proxy_->delay_produce_responses(0ms);
  produce(*p, 200);
  const auto f = finish(*p, true, "answers late, durable");
  EXPECT_EQ(f.delivered, f.sent);
  EXPECT_GE(proxy_->counters().delayed, 1U);
}

}  // namespace
