// Producer::reserve / commit / abandon: records written in place, against
// the test broker.  What reaches the broker is read back from its stored
// batches, byte for byte; the report guarantee is produce()'s.
#include <chrono>
#include <cstring>
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

constexpr const char* kTopic = "inplace";

std::vector<ringkafka::testing::KcatRecord> stored(const tb::TestBroker& broker) {
  return tb::broker_log(broker, kTopic, 1);
}

class Reserve : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.start(), "");
    producer_ = tb::make_producer(rk::Config::low_latency(), broker_.bootstrap(), {});
    ASSERT_TRUE(producer_);
    topic_ = producer_->topic(kTopic).value();
  }

  std::vector<rk::DeliveryReport> reports(std::size_t n) {
    std::vector<rk::DeliveryReport> out;
    rk::DeliveryReport buf[64];
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      const std::size_t got = producer_->poll(buf);
      out.insert(out.end(), buf, buf + got);
      if (got == 0) std::this_thread::sleep_for(100us);
    }
    return out;
  }

  tb::TestBroker broker_{tb::Config{1, {{kTopic, 1}}, true, 100 << 20}};
  std::unique_ptr<rk::Producer> producer_;
  rk::Topic topic_;
};

TEST_F(Reserve, CommittedRecordsArriveAsWrittenWithOneReportEach) {
  const rk::Header headers[] = {{"trace", rk::Bytes("t-1")}, {"none", rk::Bytes::null()}};
  int opaque = 0;
  rk::Reservation r;
  ASSERT_EQ(producer_->reserve(r, topic_, 3, 5, {.headers = headers, .opaque = &opaque}), rk::Errc::kOk);
  ASSERT_TRUE(r.open());
  ASSERT_EQ(r.key().size(), 3U);
  ASSERT_EQ(r.value().size(), 5U);
  std::memcpy(r.key().data(), "abc", 3);
  std::memcpy(r.value().data(), "hello", 5);
  producer_->commit(r);
  EXPECT_FALSE(r.open());
  // A null key and an empty value, then one through produce() between.
  ASSERT_EQ(producer_->reserve(r, topic_, rk::kNullSize, 0), rk::Errc::kOk);
  EXPECT_TRUE(r.key().empty());
  EXPECT_TRUE(r.value().empty());
  producer_->commit(r);
  ASSERT_EQ(producer_->produce(topic_, "k", "copied"), rk::Errc::kOk);

  const auto got = reports(3);
  ASSERT_EQ(got.size(), 3U);
  for (const auto& rep : got) EXPECT_TRUE(rep.ok()) << rep.message;
  EXPECT_EQ(got[0].opaque, &opaque);
  const auto records = stored(broker_);
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(records[0].key, "abc");
  EXPECT_EQ(records[0].value, "hello");
  ASSERT_EQ(records[0].headers.size(), 2U);
  EXPECT_EQ(records[0].headers[0], (std::pair<std::string, std::string>("trace", "t-1")));
  EXPECT_EQ(records[0].headers[1].first, "none");
  EXPECT_FALSE(records[1].key.has_value());
  EXPECT_EQ(records[1].value, "");
  EXPECT_EQ(records[2].value, "copied");
}

TEST_F(Reserve, AbandonedRecordsLeaveNoTraceAndNoReport) {
  rk::Reservation r;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(producer_->reserve(r, topic_, 1, 200), rk::Errc::kOk);
    std::memset(r.value().data(), 'x', r.value().size());
    if (i % 2 == 0) {
      producer_->abandon(r);
    } else {
      r.key()[0] = std::byte{'k'};
      producer_->commit(r);
    }
  }
  const auto got = reports(500);
  EXPECT_EQ(got.size(), 500U);
  EXPECT_EQ(producer_->flush(5s), rk::Errc::kOk);
  std::this_thread::sleep_for(50ms);
  rk::DeliveryReport extra[4];
  EXPECT_EQ(producer_->poll(extra), 0U) << "an abandoned record was reported";
  EXPECT_EQ(stored(broker_).size(), 500U);
  EXPECT_EQ(producer_->in_flight(), 0U);
}

TEST_F(Reserve, OneOpenReservationPerThread) {
  rk::Reservation a;
  rk::Reservation b;
  ASSERT_EQ(producer_->reserve(a, topic_, 1, 1), rk::Errc::kOk);
  EXPECT_EQ(producer_->reserve(a, topic_, 1, 1), rk::Errc::kInvalidArgument);  // a is open
  EXPECT_EQ(producer_->reserve(b, topic_, 1, 1), rk::Errc::kInvalidArgument);  // this thread has one
  EXPECT_EQ(producer_->produce(topic_, "k", "v"), rk::Errc::kInvalidArgument);
  EXPECT_FALSE(b.open());
  producer_->abandon(a);
  producer_->abandon(a);  // closed already: nothing
  producer_->commit(b);   // never opened: nothing
  // Another thread has its own ring, and its own reservation.
  std::thread([&] {
    rk::Reservation c;
    ASSERT_EQ(producer_->reserve(c, topic_, 1, 1), rk::Errc::kOk);
    producer_->commit(c);
  }).join();
  EXPECT_EQ(producer_->produce(topic_, "k", "v"), rk::Errc::kOk);
  // This thread's, and the exited thread's (poll() takes an orphan's).
  EXPECT_EQ(reports(2).size(), 2U);
}

TEST_F(Reserve, ErrorsAreProducesOwn) {
  rk::Reservation r;
  EXPECT_EQ(producer_->reserve(r, rk::Topic{}, 1, 1), rk::Errc::kInvalidArgument);
  EXPECT_EQ(producer_->reserve(r, topic_, 1, 1, {.partition = -2}),
            rk::Errc::kInvalidArgument);
  EXPECT_EQ(producer_->reserve(r, topic_, 1, 2U << 20), rk::Errc::kRecordTooLarge);
  EXPECT_FALSE(r.open());
  ASSERT_EQ(producer_->close(5s), rk::Errc::kOk);
  EXPECT_EQ(producer_->reserve(r, topic_, 1, 1), rk::Errc::kClosed);
}

}  // namespace
