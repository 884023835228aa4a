// NOT_ENOUGH_REPLICAS_AFTER_APPEND means the leader has the batch in its log
// (the ISR shrank before the acks came).  If an epoch bump comes meanwhile
// (here: another partition's batch refused for good), the batch must not be
// restamped under the new epoch, or the broker writes it twice; it is
// retried under its old epoch and sequence first, which the broker answers
// DUPLICATE_SEQUENCE_NUMBER, and only then the epoch is bumped.
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "broker_log.h"
#include "make_producer.h"
#include "ringkafka/producer.h"
#include "wire/error_code.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
namespace w = ringkafka::wire;
using namespace std::chrono_literals;

namespace {

using w::code;

TEST(ProducerAppendedError, ABatchTheLeaderAppendedIsNotWrittenTwiceAcrossABump) {
  tb::TestBroker broker(tb::Config{1, {{"orders", 3}}, true, 100 << 20});
  ASSERT_EQ(broker.start(), "");
  auto p = tb::make_producer(rk::Config::durable(), broker.bootstrap(),
                             {{"linger.ms", "0"}, {"retry.backoff.ms", "20"}, {"retry.backoff.max.ms", "50"}});
  ASSERT_TRUE(p);
  const rk::Topic t = p->topic("orders").value();
  std::size_t reports = 0;
  const auto await = [&](std::size_t n) {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (reports < n && std::chrono::steady_clock::now() < until) {
      rk::DeliveryReport rs[16];
      reports += p->poll(rs);
      std::this_thread::sleep_for(1ms);
    }
  };
  for (int part = 0; part < 2; ++part) {
    ASSERT_EQ(p->produce(t, "k", "warm", {.partition = part}), rk::Errc::kOk);
  }
  await(2);
  const auto epoch = broker.batches("orders", 0).back().header.producer_epoch;
  // Partition 0: stored, answered NOT_ENOUGH_REPLICAS_AFTER_APPEND.
  // Partition 1: refused for good, which asks for an epoch bump.
  broker.fail_produce("orders", 0, code(w::ErrorCode::kNotEnoughReplicasAfterAppend), 1, true);
  broker.fail_produce("orders", 1, code(w::ErrorCode::kRecordListTooLarge), 1);
  ASSERT_EQ(p->produce(t, "k", "appended", {.partition = 0}), rk::Errc::kOk);
  ASSERT_EQ(p->produce(t, "k", "refused", {.partition = 1}), rk::Errc::kOk);
  await(4);
  // After the bump, one more record per partition.
  for (int part = 0; part < 2; ++part) {
    ASSERT_EQ(p->produce(t, "k", "after", {.partition = part}), rk::Errc::kOk);
  }
  await(6);
  ASSERT_EQ(reports, 6U);
  const auto log = tb::broker_log(broker, "orders", 1);
  std::size_t appended = 0;
  for (const auto& r : log) appended += r.value == std::optional<std::string>("appended") ? 1U : 0U;
  EXPECT_EQ(appended, 1U) << "the appended batch was written again under the new epoch";
  EXPECT_GT(broker.batches("orders", 1).back().header.producer_epoch, epoch) << "no bump happened";
  EXPECT_TRUE(broker.validation_errors().empty());
}

}  // namespace
