// Transactions against real Kafka, checked by Kafka's own tools
// (TransactionsCommand through tools/kafka-local transaction).
//
// init_transactions(): the coordinator is found for the transactional.id,
// InitProducerId reaches it with transaction.timeout.ms, and a second
// instance with the same id gets the same producer id at the next epoch
// (which fences the first).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "broker.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;

namespace {

struct Described {
  std::string state;
  long long producer_id = -1;
  int epoch = -1;
  int coordinator = -1;
  long long timeout_ms = -1;
};

// What the coordinator says of `id`; state empty if the tool fails.
Described describe(const std::string& id) {
  const auto r = rt::run_command(rt::kafka_local() + " transaction '" + id + "'");
  Described d;
  char state[64] = {};
  if (r.exit_code != 0 ||
      std::sscanf(r.output.c_str(), "%63s %lld %d %d %lld", state, &d.producer_id, &d.epoch,
                  &d.coordinator, &d.timeout_ms) != 5) {
    ADD_FAILURE() << "kafka-local transaction " << id << " failed: " << r.output;
    return d;
  }
  d.state = state;
  return d;
}

class ProducerTransactions : public ::testing::Test {
 protected:
  void SetUp() override { RINGKAFKA_REQUIRE_BROKER(bootstrap_); }

  std::unique_ptr<rk::Producer> make(const std::string& id) {
    rk::Config config;
    config.bootstrap_servers(bootstrap_);
    EXPECT_TRUE(config.set("transactional.id", id).ok());
    EXPECT_TRUE(config.set("transaction.timeout.ms", "45000").ok());
    auto made = rk::Producer::create(config);
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  std::string bootstrap_;
};

TEST_F(ProducerTransactions, InitTransactionsGetsAnIdFromTheCoordinator) {
  const std::string id = rt::unique_topic("ringkafka-tx");
  const std::string topic = rt::unique_topic("tx-init");
  ASSERT_TRUE(rt::create_topic(topic, 2));
  auto first = make(id);
  ASSERT_TRUE(first);
  // The first transactional request of a cluster makes __transaction_state:
  // the coordinator may take a while to answer.
  auto r = first->init_transactions(60s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Described one = describe(id);
  EXPECT_EQ(one.state, "Empty");
  EXPECT_GE(one.producer_id, 0);
  EXPECT_EQ(one.epoch, 0);
  EXPECT_EQ(one.timeout_ms, 45000);
  // No transaction is open: produce() takes nothing.
  EXPECT_EQ(first->produce(first->topic(topic).value(), "k", "v"), rk::Errc::kState);

  // A second instance: the same id, the next epoch.
  auto second = make(id);
  ASSERT_TRUE(second);
  auto r2 = second->init_transactions(60s);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  const Described two = describe(id);
  EXPECT_EQ(two.producer_id, one.producer_id);
  EXPECT_EQ(two.epoch, one.epoch + 1);
  EXPECT_EQ(two.state, "Empty");
}

}  // namespace
