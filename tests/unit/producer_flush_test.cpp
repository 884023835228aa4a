// The loop a librdkafka user writes first: produce everything, then flush.
// With a delivery callback it works for any number of records (the reports
// go to the callback as they come, so no queue fills); without one,
// flush(timeout, on_report) serves the thread's queued reports on the
// calling thread, as rd_kafka_flush() serves dr_msg_cb.
#include <atomic>
#include <chrono>

#include <gtest/gtest.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

struct Counts {
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
};

void count_report(const rk::DeliveryReport& r, void* context) noexcept {
  auto& c = *static_cast<Counts*>(context);
  (r.ok() ? c.ok : c.failed).fetch_add(1, std::memory_order_relaxed);
}

class ProducerFlushTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(broker_.start(), ""); }
  tb::TestBroker broker_{tb::Config{1, {{"orders", 3}}, true, 100 << 20}};
};

TEST_F(ProducerFlushTest, ProduceAllThenFlushWithADeliveryCallback) {
  // Four times what a report queue holds, with no poll() anywhere.
  constexpr int kRecords = 4 * 16384;
  Counts counts;
  auto config = rk::Config::durable();
  config.delivery_callback(count_report, &counts);
  auto p = tb::make_producer(config, broker_.bootstrap(), {{"report.queue.size", "16384"}});
  ASSERT_NE(p, nullptr);
  const rk::Topic t = p->topic("orders").value();
  for (int i = 0; i < kRecords; ++i) {
    rk::Errc e;
    // A full ring waits max.block.ms (60 s by default) inside produce().
    ASSERT_EQ(e = p->produce(t, "k", "v"), rk::Errc::kOk) << i << ": " << rk::to_string(e);
  }
  ASSERT_EQ(p->flush(30s), rk::Errc::kOk);
  EXPECT_EQ(counts.ok.load(), kRecords);
  EXPECT_EQ(counts.failed.load(), 0);
}

TEST_F(ProducerFlushTest, FlushServesThisThreadsReports) {
  constexpr int kRecords = 5000;  // within one report queue
  auto p = tb::make_producer(rk::Config::durable(), broker_.bootstrap(), {});
  ASSERT_NE(p, nullptr);
  const rk::Topic t = p->topic("orders").value();
  for (int i = 0; i < kRecords; ++i) ASSERT_EQ(p->produce(t, "k", "v"), rk::Errc::kOk);
  Counts counts;
  ASSERT_EQ(p->flush(30s, count_report, &counts), rk::Errc::kOk);
  EXPECT_EQ(counts.ok.load(), kRecords);
  rk::DeliveryReport left[8];
  EXPECT_EQ(p->poll(left), 0u);  // all served
  // Nothing more to serve: on_report is not called again.
  ASSERT_EQ(p->flush(1s, count_report, &counts), rk::Errc::kOk);
  EXPECT_EQ(counts.ok.load(), kRecords);
}

// The second loop of docs/coming-from.md: no callback, more records than a
// report queue holds, poll() only when produce() says the queue is full,
// and flush(timeout, on_report) serving what is left.
TEST_F(ProducerFlushTest, ProduceAllPollingOnlyWhenFullThenFlush) {
  constexpr int kRecords = 40'000;  // past the 16,384-report queue twice
  auto p = tb::make_producer(rk::Config::durable(), broker_.bootstrap(),
                             {{"report.queue.size", "16384"}});
  ASSERT_NE(p, nullptr);
  const rk::Topic t = p->topic("orders").value();
  Counts counts;
  rk::DeliveryReport reports[256];
  int full = 0;
  for (int i = 0; i < kRecords; ++i) {
    rk::Errc e;
    while (rk::is_full(e = p->produce(t, "k", "v"))) {
      ++full;
      for (std::size_t j = 0, n = p->poll(reports); j < n; ++j) count_report(reports[j], &counts);
    }
    ASSERT_EQ(e, rk::Errc::kOk) << i << ": " << rk::to_string(e);
  }
  ASSERT_EQ(p->flush(30s, count_report, &counts), rk::Errc::kOk);
  EXPECT_GT(full, 0) << "the report queue never filled: the loop was not tested";
  EXPECT_EQ(counts.ok.load(), kRecords);
  EXPECT_EQ(counts.failed.load(), 0);
  EXPECT_EQ(p->poll(reports), 0u);
}

}  // namespace
