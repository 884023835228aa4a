// What a delivery report says.  The broker's own words for a failure, and
// each invalid record's (KIP-467), behind the error's name (issue 13,
// defect 7).  Whether its record may be in the log (issue 13, defect 5): acknowledged records are kPersisted; a record whose request
// went unanswered and then failed (purged at close while in flight, or
// timed out after lost answers) is kPossiblyPersisted, as librdkafka's
// POSSIBLY_PERSISTED; a record never sent, or refused by the broker on its
// only attempt, is kNotPersisted.  acks=0 never knows: possibly.  And a
// producer destroyed with reports nobody polled says so.
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"
#include "wire/error_code.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;
using P = rk::Persistence;

namespace {

class ProducerReportsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(broker_.start(), ""); }

  std::unique_ptr<rk::Producer> make(std::map<std::string, std::string> extra = {}) {
    extra.try_emplace("linger.ms", "0");
    extra.try_emplace("retry.backoff.ms", "10");
    extra.try_emplace("retry.backoff.max.ms", "50");
    auto p = tb::make_producer(rk::Config::durable(), broker_.bootstrap(), extra);
    if (p) topic_ = p->topic("orders").value();
    return p;
  }

  void produce(rk::Producer& p, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(p.produce(topic_, "k", "v", {.partition = i % 3}), rk::Errc::kOk);
    }
  }

  std::vector<rk::DeliveryReport> collect(rk::Producer& p, std::size_t n) {
    std::vector<rk::DeliveryReport> out;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (out.size() < n && std::chrono::steady_clock::now() < until) {
      rk::DeliveryReport reports[64];
      const std::size_t got = p.poll(reports);
      out.insert(out.end(), reports, reports + got);
      if (got == 0) std::this_thread::sleep_for(1ms);
    }
    return out;
  }

  static std::size_t count(const std::vector<rk::DeliveryReport>& rs, rk::Errc e, P persisted) {
    std::size_t n = 0;
    for (const auto& r : rs) n += r.error == e && r.persisted == persisted ? 1 : 0;
    return n;
  }

  tb::TestBroker broker_{tb::Config{1, {{"orders", 3}, {"hidden", 1}}, true, 100 << 20}};
  rk::Topic topic_;
};

TEST_F(ProducerReportsTest, AcknowledgedRecordsArePersisted) {
  auto p = make();
  ASSERT_TRUE(p);
  produce(*p, 30);
  const auto rs = collect(*p, 30);
  EXPECT_EQ(count(rs, rk::Errc::kOk, P::kPersisted), 30U);
}

TEST_F(ProducerReportsTest, AcksZeroIsNeverMoreThanPossiblyPersisted) {
  auto p = make({{"acks", "0"}, {"enable.idempotence", "false"}});
  ASSERT_TRUE(p);
  produce(*p, 30);
  const auto rs = collect(*p, 30);
  EXPECT_EQ(count(rs, rk::Errc::kOk, P::kPossiblyPersisted), 30U);
}

TEST_F(ProducerReportsTest, RecordsInFlightAtCloseArePurgedAsPossiblyPersisted) {
  auto p = make();
  ASSERT_TRUE(p);
  produce(*p, 3);
  ASSERT_EQ(collect(*p, 3).size(), 3U);  // connected, producer id known
  broker_.drop_responses(1, 1000);
  const auto before = broker_.counters().records;
  produce(*p, 30);
  // The broker has written them; their answers will never come.
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (broker_.counters().records < before + 30 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(broker_.counters().records, before + 30);
  (void)p->close(0ms);
  const auto rs = collect(*p, 30);
  EXPECT_EQ(count(rs, rk::Errc::kPurged, P::kPossiblyPersisted), 30U)
      << "records the broker may have, reported as if never sent";
}

TEST_F(ProducerReportsTest, RecordsNeverSentArePurgedAsNotPersisted) {
  broker_.hide_topic("hidden", true);
  auto p = make({{"topic.metadata.propagation.max.ms", "60000"}});
  ASSERT_TRUE(p);
  const rk::Topic hidden = p->topic("hidden").value();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(p->produce(hidden, "k", "v"), rk::Errc::kOk);
  std::this_thread::sleep_for(50ms);
  (void)p->close(0ms);
  const auto rs = collect(*p, 20);
  EXPECT_EQ(count(rs, rk::Errc::kPurged, P::kNotPersisted), 20U);
}

TEST_F(ProducerReportsTest, ATimeoutAfterLostAnswersIsPossiblyPersisted) {
  auto p = make({{"delivery.timeout.ms", "1500"}, {"request.timeout.ms", "300"}});
  ASSERT_TRUE(p);
  produce(*p, 3);
  ASSERT_EQ(collect(*p, 3).size(), 3U);
  broker_.drop_responses(1, 100000);
  produce(*p, 9);
  const auto rs = collect(*p, 9);
  EXPECT_EQ(count(rs, rk::Errc::kMessageTimedOut, P::kPossiblyPersisted), 9U);
}

TEST_F(ProducerReportsTest, ARefusalOnTheOnlyAttemptIsNotPersisted) {
  auto p = make();
  ASSERT_TRUE(p);
  broker_.fail_produce("orders", 0,
                       static_cast<std::int16_t>(rk::wire::ErrorCode::kRecordListTooLarge), 1);
  ASSERT_EQ(p->produce(topic_, "k", "v", {.partition = 0}), rk::Errc::kOk);
  const auto rs = collect(*p, 1);
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].error, rk::Errc::kBroker);
  EXPECT_EQ(rs[0].persisted, P::kNotPersisted);
}

TEST_F(ProducerReportsTest, ADestroyedProducerSaysHowManyReportsNobodyPolled) {
  broker_.hide_topic("hidden", true);
  auto p = make({{"topic.metadata.propagation.max.ms", "60000"}});
  ASSERT_TRUE(p);
  const rk::Topic hidden = p->topic("hidden").value();
  for (int i = 0; i < 7; ++i) ASSERT_EQ(p->produce(hidden, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->close(0ms), rk::Errc::kTimedOut);
  ::testing::internal::CaptureStderr();
  p.reset();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("7 delivery reports never polled (7 failed"), std::string::npos) << err;
}

TEST_F(ProducerReportsTest, TheBrokersWordsReachTheReport) {
  auto p = make();
  ASSERT_TRUE(p);
  broker_.fail_produce("orders", 0, static_cast<std::int16_t>(rk::wire::ErrorCode::kRecordListTooLarge), 1);
  broker_.fail_produce_text("orders", 0, "batch of 3 MB over the 1 MB limit");
  ASSERT_EQ(p->produce(topic_, "k", "v", {.partition = 0}), rk::Errc::kOk);
  const auto rs = collect(*p, 1);
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_STREQ(rs[0].message, "RECORD_LIST_TOO_LARGE: batch of 3 MB over the 1 MB limit");
}

TEST_F(ProducerReportsTest, EachInvalidRecordGetsItsOwnWords) {
  auto p = make({{"linger.ms", "200"}});
  ASSERT_TRUE(p);
  broker_.fail_produce("orders", 0, static_cast<std::int16_t>(rk::wire::ErrorCode::kInvalidRecord), 1);
  broker_.fail_produce_text("orders", 0, "", {{1, "compacted topic needs a key"}});
  int opaques[3] = {0, 1, 2};
  for (int& o : opaques) {
    ASSERT_EQ(p->produce(topic_, "k", "v", {.opaque = &o, .partition = 0}), rk::Errc::kOk);
  }
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  const auto rs = collect(*p, 3);
  ASSERT_EQ(rs.size(), 3U);
  for (const auto& r : rs) {
    EXPECT_EQ(r.error, rk::Errc::kBroker);
    if (r.opaque == &opaques[1]) {
      EXPECT_STREQ(r.message, "INVALID_RECORD: compacted topic needs a key");
    } else {
      EXPECT_STREQ(r.message, "INVALID_RECORD: another record of its batch was invalid; not written");
    }
  }
}

// A retry the broker already had is answered, as Kafka answers it, with
// the first batch's max timestamp as its "log append time" even though the
// topic keeps CreateTime: each record's report still carries its own
// timestamp, not the batch's newest.
TEST_F(ProducerReportsTest, ARetryTheBrokerHadKeepsEachRecordsTimestamp) {
  auto p = make({{"request.timeout.ms", "500"}, {"linger.ms", "20"}});
  ASSERT_TRUE(p);
  broker_.drop_responses(1, 1);  // written, never answered: retried, found in the window
  constexpr int kRecords = 20;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_EQ(p->produce(topic_, "k", "v", {.timestamp_ms = 1'700'000'000'000 + i, .partition = 0}), rk::Errc::kOk);
  }
  const auto reports = collect(*p, kRecords);
  ASSERT_EQ(reports.size(), static_cast<std::size_t>(kRecords));
  EXPECT_GE(p->stats().batch_retries, 1U);
  std::map<std::int64_t, int> seen;
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << r.message;
    ++seen[r.timestamp_ms];
  }
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ(seen[1'700'000'000'000 + i], 1) << "record " << i;
  }
}

}  // namespace
