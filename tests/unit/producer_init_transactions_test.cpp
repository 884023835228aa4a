// init_transactions() against the test broker: the coordinator found with
// FindCoordinator, InitProducerId sent to it with the transactional.id,
// retries, fatal refusals, a timed-out call resumed, a concurrent call
// refused, and produce() refused outside a transaction.  (Against real
// Kafka: tests/integration/producer_transactions_test.cpp.)
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"
#include "wire/error_code.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
namespace w = ringkafka::wire;
using namespace std::chrono_literals;

namespace {

using w::code;

std::unique_ptr<rk::Producer> transactional(tb::TestBroker& broker, const std::string& id,
                                            std::map<std::string, std::string> extra = {}) {
  extra.emplace("transactional.id", id);
  extra.emplace("retry.backoff.ms", "20");
  return tb::make_producer(rk::Config(), broker.bootstrap(), extra);
}

TEST(ProducerInitTransactions, FindsTheCoordinatorAndGetsAnIdFromIt) {
  tb::TestBroker broker(tb::Config{3, {{"orders", 3}}});
  ASSERT_EQ(broker.start(), "");
  broker.set_coordinator(2);  // InitProducerId anywhere else: NOT_COORDINATOR
  auto p = transactional(broker, "tx-orders", {{"transaction.timeout.ms", "12345"}});
  ASSERT_TRUE(p);
  const rk::Topic t = p->topic("orders").value();
  // Outside a transaction no record is taken (and none is reported).
  EXPECT_EQ(p->produce(t, "k", "v"), rk::Errc::kState);
  auto r = p->init_transactions(10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(broker.transactional_inits(), std::vector<std::string>{"tx-orders"});
  EXPECT_EQ(broker.transaction_timeouts(), std::vector<std::int32_t>{12345});
  EXPECT_EQ(p->produce(t, "k", "v"), rk::Errc::kState);  // still no transaction open
  EXPECT_EQ(p->in_flight(), 0U);
  // Once per producer.
  auto again = p->init_transactions(1s);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, rk::Errc::kState);
  EXPECT_NE(again.error().message.find("already called"), std::string::npos) << again.error().message;
  EXPECT_FALSE(again.error().fatal());
}

TEST(ProducerInitTransactions, ANonTransactionalProducerRefusesIt) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  auto p = tb::make_producer(rk::Config(), broker.bootstrap(), {});
  ASSERT_TRUE(p);
  auto r = p->init_transactions(1s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, rk::Errc::kState);
  EXPECT_NE(r.error().message.find("no transactional.id"), std::string::npos) << r.error().message;
  EXPECT_EQ(p->produce(p->topic("orders").value(), "k", "v"), rk::Errc::kOk);  // untouched
}

TEST(ProducerInitTransactions, RetriesWhatARetryCanChange) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  // The coordinator's topic still being made, then the coordinator still
  // aborting an earlier instance's transaction.
  broker.fail_find_coordinator(code(w::ErrorCode::kCoordinatorNotAvailable), 3);
  broker.fail_init_producer_id(code(w::ErrorCode::kConcurrentTransactions), 2);
  auto p = transactional(broker, "tx-retry");
  ASSERT_TRUE(p);
  auto r = p->init_transactions(10s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(broker.transactional_inits().size(), 1U);
}

TEST(ProducerInitTransactions, ARefusalIsFatalAndSaysWhy) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  broker.fail_find_coordinator(code(w::ErrorCode::kTransactionalIdAuthorizationFailed), 1);
  auto p = transactional(broker, "tx-denied");
  ASSERT_TRUE(p);
  auto r = p->init_transactions(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().fatal());
  EXPECT_NE(r.error().message.find("TRANSACTIONAL_ID_AUTHORIZATION_FAILED"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("tx-denied"), std::string::npos) << r.error().message;
  EXPECT_NE(p->fatal_error().find("TRANSACTIONAL_ID_AUTHORIZATION_FAILED"), std::string::npos);
  // Nothing leaves the fatal state.
  auto again = p->init_transactions(1s);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.error().fatal());
}

TEST(ProducerInitTransactions, InitProducerIdRefusedIsFatal) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  broker.fail_init_producer_id(code(w::ErrorCode::kInvalidTransactionTimeout), 1);
  auto p = transactional(broker, "tx-timeout");
  ASSERT_TRUE(p);
  auto r = p->init_transactions(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().fatal());
  EXPECT_NE(r.error().message.find("INVALID_TRANSACTION_TIMEOUT"), std::string::npos)
      << r.error().message;
}

// A call that times out goes on; called again, it waits for the same step.
// Meanwhile a call from another thread is refused, not queued.
TEST(ProducerInitTransactions, ATimedOutCallResumesAndAConcurrentOneIsRefused) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  broker.fail_find_coordinator(code(w::ErrorCode::kCoordinatorNotAvailable), 1'000'000);
  auto p = transactional(broker, "tx-slow");
  ASSERT_TRUE(p);
  auto r = p->init_transactions(200ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, rk::Errc::kTimedOut);
  EXPECT_TRUE(r.error().retriable()) << r.error().message;
  auto waiting = std::async(std::launch::async, [&] { return p->init_transactions(20s); });
  // Long enough for the other thread to be inside its call, even under
  // TSan's slowed start.
  std::this_thread::sleep_for(1s);
  auto concurrent = p->init_transactions(1s);
  ASSERT_FALSE(concurrent.ok());
  EXPECT_EQ(concurrent.error().code, rk::Errc::kState);
  EXPECT_NE(concurrent.error().message.find("another transactional call"), std::string::npos)
      << concurrent.error().message;
  broker.fail_find_coordinator(0, 0);
  auto resumed = waiting.get();
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(broker.transactional_inits().size(), 1U);  // one step, not two
}

// A second instance with the same transactional.id gets the next epoch:
// the coordinator fences the first.
TEST(ProducerInitTransactions, ASecondInstanceGetsTheNextEpoch) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 1}}});
  ASSERT_EQ(broker.start(), "");
  auto first = transactional(broker, "tx-twice");
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->init_transactions(10s).ok());
  auto second = transactional(broker, "tx-twice");
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->init_transactions(10s).ok());
  EXPECT_EQ(broker.transactional_inits(), (std::vector<std::string>{"tx-twice", "tx-twice"}));
}

}  // namespace
