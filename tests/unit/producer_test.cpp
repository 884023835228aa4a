// The producer end to end against the scriptable test broker: delivery
// reports, sealing rules, idle strategies, backpressure, thread limits,
// shutdown.  Kafka compatibility is shown against real Kafka in
// tests/integration/; this suite is about the producer's own behaviour.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "partition/murmur2.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

constexpr const char* kTopic = "orders";

class ProducerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(broker_.start(), ""); }

  // low_latency plus the broker and whatever the test sets.
  std::unique_ptr<rk::Producer> make(std::map<std::string, std::string> extra = {},
                                     rk::Config config = rk::Config::low_latency()) {
    auto p = tb::make_producer(std::move(config), broker_.bootstrap(), extra);
    if (p) topic_ = p->topic(kTopic).value();
    return p;
  }

  // Polls until `n` reports arrived (or 10 s passed).
  static std::vector<rk::DeliveryReport> collect(rk::Producer& p, std::size_t n) {
    std::vector<rk::DeliveryReport> out;
    rk::DeliveryReport buf[256];
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      const std::size_t got = p.poll(buf);
      out.insert(out.end(), buf, buf + got);
      if (got == 0) std::this_thread::sleep_for(100us);
    }
    return out;
  }

  static std::int64_t records_on_broker(const tb::TestBroker& b) {
    return static_cast<std::int64_t>(b.counters().records);
  }

  tb::TestBroker broker_{tb::Config{1, {{kTopic, 3}}, true, 100 << 20}};
  rk::Topic topic_;
};

TEST_F(ProducerTest, EveryRecordGetsOneReportWithItsOffset) {
  auto p = make();
  ASSERT_TRUE(p);
  constexpr int kRecords = 5000;
  auto mono = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  const std::int64_t started = mono();
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = std::string("key-").append(std::to_string(i % 97));
    rk::Errc e;
    void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(i + 1));
    while (rk::is_full(e = p->produce(topic_, key, std::string("v").append(std::to_string(i)),
                                      {.opaque = opaque}))) {
      std::this_thread::yield();
    }
    ASSERT_EQ(e, rk::Errc::kOk);
  }
  const auto reports = collect(*p, kRecords);
  ASSERT_EQ(reports.size(), static_cast<std::size_t>(kRecords));
  std::set<std::pair<std::int32_t, std::int64_t>> places;
  std::set<std::uintptr_t> opaques;
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << rk::to_string(r.error) << " " << r.message;
    const auto i = reinterpret_cast<std::uintptr_t>(r.opaque) - 1;
    opaques.insert(i);
    const std::string key = std::string("key-").append(std::to_string(i % 97));
    const auto bytes = std::as_bytes(std::span(key.data(), key.size()));
    EXPECT_EQ(r.partition, rk::partition::murmur2_partition(bytes, 3));
    EXPECT_TRUE(places.insert({r.partition, r.offset}).second) << "offset reported twice";
    EXPECT_GT(r.timestamp_ms, 0);
    EXPECT_GE(r.sent_ns, started) << "sent_ns: when the request went to the kernel";
    EXPECT_LE(r.sent_ns, mono());
  }
  EXPECT_EQ(opaques.size(), static_cast<std::size_t>(kRecords));
  // The offsets are exactly the broker's: 0..high watermark of each partition.
  for (std::int32_t part = 0; part < 3; ++part) {
    const auto hw = broker_.high_watermark(kTopic, part);
    std::int64_t expect = 0;
    for (const auto& [pp, off] : places) {
      if (pp == part) {
        EXPECT_EQ(off, expect++);
      }
    }
    EXPECT_EQ(expect, hw);
  }
  EXPECT_TRUE(broker_.validation_errors().empty());
  EXPECT_EQ(p->in_flight(), 0U);
}

TEST_F(ProducerTest, CallbackModeReportsOnTheSenderThread) {
  struct Seen {
    std::atomic<int> ok{0};
    std::atomic<bool> other_thread{true};
    std::thread::id producer_thread;
  } seen;
  seen.producer_thread = std::this_thread::get_id();
  rk::Config config = rk::Config::low_latency();
  config.delivery_callback(
      [](const rk::DeliveryReport& r, void* ctx) noexcept {
        auto* s = static_cast<Seen*>(ctx);
        if (r.ok()) s->ok.fetch_add(1);
        if (std::this_thread::get_id() == s->producer_thread) s->other_thread = false;
      },
      &seen);
  auto p = make({}, config);
  ASSERT_TRUE(p);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  EXPECT_EQ(seen.ok.load(), 1000);
  EXPECT_TRUE(seen.other_thread.load());
  rk::DeliveryReport buf[8];
  EXPECT_EQ(p->poll(buf), 0U);
}

TEST_F(ProducerTest, LingerHoldsTheBatchUntilFlush) {
  auto p = make({{"linger.ms", "60000"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "v", {.partition = 0}), rk::Errc::kOk);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(records_on_broker(broker_), 0) << "sent before linger.ms or flush";
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  EXPECT_EQ(records_on_broker(broker_), 10);
  EXPECT_EQ(broker_.batches(kTopic, 0).size(), 1U) << "one linger, one batch";
  EXPECT_EQ(collect(*p, 10).size(), 10U);
}

TEST_F(ProducerTest, LargeAndSmallRecordsKeepTheirOrder) {
  // ring.bytes 4096: records above 512 bytes take the thread's large ring,
  // the rest the small one; one partition's offsets follow produce() order.
  auto p = make({{"ring.bytes", "4096"}, {"max.block.ms", "10000"}});
  ASSERT_TRUE(p);
  constexpr int kRecords = 300;
  const std::size_t sizes[] = {10, 600, 3000, 0, 100000, 20, 511, 513, 1000000};
  std::size_t large = 0;
  for (int i = 0; i < kRecords; ++i) {
    const std::size_t n = sizes[static_cast<std::size_t>(i) % std::size(sizes)];
    const std::string value(n, static_cast<char>('a' + i % 26));
    void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(i + 1));
    if (i % 5 == 4) {  // in place, through reserve/commit, and one abandoned first
      rk::Reservation dropped;
      ASSERT_EQ(p->reserve(dropped, topic_, 1, 700, {.partition = 0}), rk::Errc::kOk);
      p->abandon(dropped);
      rk::Reservation r;
      ASSERT_EQ(p->reserve(r, topic_, 1, n, {.opaque = opaque, .partition = 0}), rk::Errc::kOk);
      r.key()[0] = std::byte{'k'};
      if (n != 0) std::memcpy(r.value().data(), value.data(), n);
      p->commit(r);
    } else {
      ASSERT_EQ(p->produce(topic_, "k", value, {.opaque = opaque, .partition = 0}), rk::Errc::kOk);
    }
    large += n > 400 ? 1 : 0;
  }
  ASSERT_GT(large, 150U);
  const auto reports = collect(*p, kRecords);
  ASSERT_EQ(reports.size(), static_cast<std::size_t>(kRecords));
  std::vector<std::pair<std::int64_t, std::uintptr_t>> by_offset;
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << r.message;
    by_offset.emplace_back(r.offset, reinterpret_cast<std::uintptr_t>(r.opaque));
  }
  std::sort(by_offset.begin(), by_offset.end());
  for (std::size_t i = 0; i < by_offset.size(); ++i) {
    ASSERT_EQ(by_offset[i].first, static_cast<std::int64_t>(i));
    ASSERT_EQ(by_offset[i].second, i + 1) << "record " << i << " out of order";
  }
  EXPECT_TRUE(broker_.validation_errors().empty());
}

TEST_F(ProducerTest, BatchSizeBoundsEachBatch) {
  auto p = make({{"linger.ms", "60000"}, {"batch.size", "1024"}});
  ASSERT_TRUE(p);
  const std::string value(100, 'x');
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), value, {.partition = 1}), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  const auto batches = broker_.batches(kTopic, 1);
  EXPECT_GE(batches.size(), 10U);
  std::int32_t total = 0;
  for (const auto& b : batches) {
    EXPECT_LE(b.bytes.size() - 61, 1024U) << "records of one batch above batch.size";
    total += b.header.record_count;
  }
  EXPECT_EQ(total, 100);
  EXPECT_EQ(collect(*p, 100).size(), 100U);
}

TEST_F(ProducerTest, RecordsArrivingWhileARequestIsInFlightFormTheNextBatch) {
  auto p = make({{"max.in.flight.requests.per.connection", "1"}});
  ASSERT_TRUE(p);
  // Let the connection come up so the first record goes out alone.
  ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "first", {.partition = 2}), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  broker_.delay_responses(1, 300ms);
  ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "alone", {.partition = 2}), rk::Errc::kOk);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (broker_.counters().produce_requests < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  for (int i = 0; i < 50; ++i) ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "later", {.partition = 2}), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  const auto batches = broker_.batches(kTopic, 2);
  ASSERT_EQ(batches.size(), 3U);
  EXPECT_EQ(batches[1].header.record_count, 1);
  EXPECT_EQ(batches[2].header.record_count, 50);
  EXPECT_EQ(collect(*p, 52).size(), 52U);
}

class IdleStrategyTest : public ProducerTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(IdleStrategyTest, DeliversAndWakesUp) {
  auto p = make({{"sender.idle.strategy", GetParam()}, {"sender.idle.spin.us", "10"}});
  ASSERT_TRUE(p);
  // Bursts with pauses, so that the sender goes idle (and, for backoff,
  // parks) between them and must find the next burst by itself.
  for (int burst = 0; burst < 5; ++burst) {
    for (int i = 0; i < 200; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
    const auto reports = collect(*p, 200);
    ASSERT_EQ(reports.size(), 200U);
    for (const auto& r : reports) ASSERT_TRUE(r.ok());
    std::this_thread::sleep_for(20ms);
  }
}

TEST_F(ProducerTest, SqpollAndAPinnedSenderDeliver) {
  auto p = make({{"io_uring.sqpoll", "true"}, {"sender.cpu", "0"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  const auto reports = collect(*p, 1000);
  ASSERT_EQ(reports.size(), 1000U);
  for (const auto& r : reports) ASSERT_TRUE(r.ok()) << r.message;
}

INSTANTIATE_TEST_SUITE_P(Strategies, IdleStrategyTest,
                         ::testing::Values("spin", "yield", "backoff", "adaptive"));

TEST_F(ProducerTest, FullReportQueueSaysSoAtOnceAndLosesNothing) {
  auto p = make({{"report.queue.size", "64"}, {"max.block.ms", "10000"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  // Blocking could never end: only this thread's poll() makes room.
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kReportQueueFull);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  const auto reports = collect(*p, 64);
  EXPECT_EQ(reports.size(), 64U);
  EXPECT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  EXPECT_EQ(collect(*p, 1).size(), 1U);
}

TEST_F(ProducerTest, FullRingBlocksForMaxBlockMsThenTimesOut) {
  // One batch buffer in buffer.memory and one request at a time, answered
  // slowly: the sender cannot take more records, the ring fills.
  auto p = make({{"ring.bytes", "4096"},
                 {"max.request.size", "1000"},  // else the ring grows to hold a 1 MiB record
                 {"batch.size", "1000"},
                 {"buffer.memory", "40000"},
                 {"max.in.flight.requests.per.connection", "1"},
                 {"max.block.ms", "200"}});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  broker_.delay_responses(1, 1500ms);
  const std::string value(200, 'v');
  std::size_t accepted = 1;
  rk::Errc e = rk::Errc::kOk;
  const auto t0 = std::chrono::steady_clock::now();
  while ((e = p->produce(topic_, "k", value)) == rk::Errc::kOk) ++accepted;
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(e, rk::Errc::kTimedOut);
  EXPECT_GE(waited, 190ms);
  // Nothing accepted is lost: every record gets its report.
  broker_.delay_responses(1, 0ms);
  const auto reports = collect(*p, accepted);
  EXPECT_EQ(reports.size(), accepted);
  for (const auto& r : reports) EXPECT_TRUE(r.ok()) << r.message;
}

TEST_F(ProducerTest, QueueFullWithoutBlockingWhenMaxBlockMsIsZero) {
  auto p = make({{"ring.bytes", "4096"},
                 {"max.request.size", "1000"},  // else the ring grows to hold a 1 MiB record
                 {"batch.size", "1000"},
                 {"buffer.memory", "40000"},
                 {"max.in.flight.requests.per.connection", "1"},
                 {"max.block.ms", "0"}});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  broker_.delay_responses(1, 500ms);
  const std::string value(200, 'v');
  std::size_t accepted = 1;
  rk::Errc e = rk::Errc::kOk;
  while ((e = p->produce(topic_, "k", value)) == rk::Errc::kOk) ++accepted;
  EXPECT_EQ(e, rk::Errc::kQueueFull);
  broker_.delay_responses(1, 0ms);
  EXPECT_EQ(collect(*p, accepted).size(), accepted);
}

TEST_F(ProducerTest, MoreThreadsThanConfiguredGetAClearError) {
  auto p = make({{"producer.threads.max", "2"}});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->register_thread(), rk::Errc::kOk);
  std::atomic<bool> release{false};
  std::atomic<int> claimed{0};
  std::thread second([&] {
    EXPECT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
    claimed = 1;
    while (!release) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(collect(*p, 1).size(), 1U);
  });
  while (claimed == 0) std::this_thread::sleep_for(1ms);
  rk::Errc third = rk::Errc::kOk;
  std::thread([&] { third = p->produce(topic_, "k", "v"); }).join();
  EXPECT_EQ(third, rk::Errc::kTooManyThreads);
  release = true;
  second.join();
}

TEST_F(ProducerTest, AThreadOutlivingManyProducersKeepsProducing) {
  // A thread remembers 32 producers' slots; those of destroyed producers
  // are forgotten when it needs room, so the 40th producer still works.
  for (int i = 0; i < 40; ++i) {
    auto p = make();
    ASSERT_TRUE(p);
    ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "v"), rk::Errc::kOk) << "producer " << i;
    ASSERT_EQ(collect(*p, 1).size(), 1U) << "producer " << i;
  }
}

TEST_F(ProducerTest, ReportsOfAnExitedThreadGoToWhoeverPolls) {
  auto p = make();
  ASSERT_TRUE(p);
  std::thread([&] {
    for (int i = 0; i < 100; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  }).join();
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  const auto reports = collect(*p, 100);
  EXPECT_EQ(reports.size(), 100U);
  // The exited thread's slot can be claimed again once its reports are taken.
  std::thread([&] { EXPECT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk); }).join();
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  EXPECT_EQ(collect(*p, 1).size(), 1U);
}

TEST_F(ProducerTest, BadInputIsRefusedOrReportedWithoutHarmingOthers) {
  auto p = make({{"max.request.size", "100000"}});
  ASSERT_TRUE(p);
  const std::string huge(200000, 'x');
  EXPECT_EQ(p->produce(topic_, "k", huge), rk::Errc::kRecordTooLarge);
  EXPECT_EQ(p->produce(rk::Topic{77}, "k", "v"), rk::Errc::kInvalidArgument);
  EXPECT_EQ(p->produce(topic_, "k", "v", {.timestamp_ms = -5}), rk::Errc::kInvalidArgument);
  EXPECT_EQ(p->produce(topic_, "k", "v", {.partition = -2}), rk::Errc::kInvalidArgument);
  ASSERT_EQ(p->produce(topic_, "k", "bad", {.partition = 99}), rk::Errc::kOk);
  ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "", {.partition = 0}), rk::Errc::kOk);
  ASSERT_EQ(p->produce(topic_, "", rk::Bytes::null()), rk::Errc::kOk);
  const auto reports = collect(*p, 3);
  ASSERT_EQ(reports.size(), 3U);
  int out_of_range = 0;
  for (const auto& r : reports) {
    if (r.error == rk::Errc::kPartitionOutOfRange) {
      ++out_of_range;
    } else {
      EXPECT_TRUE(r.ok()) << r.message;
    }
  }
  EXPECT_EQ(out_of_range, 1);
}

TEST_F(ProducerTest, UnknownTopicEndsInAnErrorReport) {
  auto p = make({{"topic.metadata.propagation.max.ms", "300"}});
  ASSERT_TRUE(p);
  const auto missing = p->topic("no-such-topic").value();
  ASSERT_EQ(p->produce(missing, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  const auto reports = collect(*p, 2);
  ASSERT_EQ(reports.size(), 2U);
  int unknown = 0;
  for (const auto& r : reports) {
    if (r.error != rk::Errc::kUnknownTopic) continue;
    ++unknown;
    // Names the topic and the wait, once (not "unknown topic: unknown topic: ...").
    EXPECT_STREQ(r.message,
                 "topic \"no-such-topic\" is not in the cluster's metadata (waited "
                 "topic.metadata.propagation.max.ms=300)");
  }
  EXPECT_EQ(unknown, 1);
}

// A record the ring takes but whose batch would pass max.request.size is
// reported with both numbers.
TEST_F(ProducerTest, ARecordTooLargeForARequestSaysItsSizeAndTheLimit) {
  auto p = make({{"max.request.size", "10000"}, {"batch.size", "8192"}});
  ASSERT_TRUE(p);
  const std::string value(9950, 'x');
  ASSERT_EQ(p->produce(topic_, "k", value), rk::Errc::kOk);
  const auto reports = collect(*p, 1);
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_EQ(reports[0].error, rk::Errc::kRecordTooLarge);
  const std::string message = reports[0].message;
  EXPECT_NE(message.find("a batch of this one record is 100"), std::string::npos) << message;
  EXPECT_NE(message.find(" bytes, over max.request.size=10000"), std::string::npos) << message;
}

TEST_F(ProducerTest, IdempotentBatchesCarryTheProducerIdAndContiguousSequences) {
  auto p = make({{"linger.ms", "1"}}, rk::Config::durable());
  ASSERT_TRUE(p);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), std::string("v").append(std::to_string(i)), {.partition = 0}),
              rk::Errc::kOk);
  }
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);
  EXPECT_EQ(collect(*p, 3000).size(), 3000U);
  const auto batches = broker_.batches(kTopic, 0);
  ASSERT_FALSE(batches.empty());
  std::int32_t next = 0;
  for (const auto& b : batches) {
    EXPECT_GE(b.header.producer_id, 0);
    EXPECT_EQ(b.header.base_sequence, next);
    next += b.header.record_count;
  }
  EXPECT_EQ(next, 3000);
  EXPECT_TRUE(broker_.validation_errors().empty());
}

TEST_F(ProducerTest, AnIdempotentBatchLostToAnErrorDoesNotBreakThePartition) {
  auto p = make({{"linger.ms", "0"}}, rk::Config::durable());
  ASSERT_TRUE(p);
  ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "before", {.partition = 0}), rk::Errc::kOk);
  ASSERT_EQ(collect(*p, 1).size(), 1U);
  broker_.fail_produce(kTopic, 0, 10 /* MESSAGE_TOO_LARGE: not retriable */, 1);
  ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "refused", {.partition = 0}), rk::Errc::kOk);
  const auto refused = collect(*p, 1);
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].error, rk::Errc::kBroker);
  EXPECT_EQ(refused[0].kafka_error, 10);
  // Its sequence numbers never reach the broker: the producer bumps its
  // epoch and starts the partition at 0 again, so later records go through.
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(p->produce(topic_, rk::Bytes::null(), "after", {.partition = 0}), rk::Errc::kOk);
  }
  const auto after = collect(*p, 100);
  ASSERT_EQ(after.size(), 100U);
  for (const auto& r : after) EXPECT_TRUE(r.ok()) << r.message << " " << r.kafka_error;
  EXPECT_TRUE(broker_.validation_errors().empty());
}

TEST_F(ProducerTest, AnIdleOrWaitingSenderDoesNotSpin) {
  auto cpu_seconds = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  // backoff, as every preset but low_latency (which spins on purpose).
  auto p = make({{"max.in.flight.requests.per.connection", "1"}, {"sender.idle.strategy", "backoff"}});
  ASSERT_TRUE(p);
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(collect(*p, 1).size(), 1U);
  // A request in flight, answered late, with records queued behind it: the
  // sender has nothing to do until the answer comes, and must sleep.
  broker_.delay_responses(1, 1500ms);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  std::this_thread::sleep_for(100ms);
  const double before = cpu_seconds();
  std::this_thread::sleep_for(1000ms);
  const double used = cpu_seconds() - before;
  EXPECT_LT(used, 0.3) << "the process burned CPU while waiting";
  broker_.delay_responses(1, 0ms);
  EXPECT_EQ(collect(*p, 100).size(), 100U);
}

// Java users write Long.MAX_VALUE for "forever": every millisecond key at
// INT64_MAX must mean that, not overflow into "already past" (a full ring
// under max.block.ms=INT64_MAX used to answer kTimedOut at once).
TEST_F(ProducerTest, MillisecondKeysAtInt64MaxMeanForever) {
  const std::string forever = "9223372036854775807";
  auto p = make({{"linger.ms", forever},
                 {"max.block.ms", forever},
                 {"metadata.max.age.ms", forever},
                 {"retry.backoff.max.ms", forever},
                 {"reconnect.backoff.max.ms", forever},
                 {"socket.connection.setup.timeout.ms", forever},
                 {"topic.metadata.propagation.max.ms", forever},
                 {"sender.idle.strategy", "backoff"},
                 {"ring.bytes", "65536"},
                 {"buffer.memory", "1048576"},
                 {"max.request.size", "16384"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->flush(10s), rk::Errc::kOk);  // flush() sends what lingers "forever"
  EXPECT_EQ(collect(*p, 100).size(), 100U);

  // A topic the broker lacks: its records are parked until buffer.memory
  // (1 MiB here, well under the report queue) is used up, then stay in the
  // ring until it fills, and then produce() blocks, as max.block.ms asks,
  // until close().
  const rk::Topic missing = p->topic("not-there").value();
  std::atomic<int> outcome{-1};
  std::thread producer_thread([&] {
    const std::string value(1000, 'v');
    rk::Errc e;
    while ((e = p->produce(missing, "k", value)) == rk::Errc::kOk) {
    }
    outcome = static_cast<int>(e);
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(outcome.load(), -1) << "produce() returned "
                                << rk::to_string(static_cast<rk::Errc>(outcome.load()))
                                << " instead of blocking";
  (void)p->close(0ms);
  producer_thread.join();
  EXPECT_EQ(outcome.load(), static_cast<int>(rk::Errc::kClosed));
}

TEST_F(ProducerTest, AcksZeroReportsWithoutOffsets) {
  auto p = make({{"acks", "0"}});
  ASSERT_TRUE(p);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  const auto reports = collect(*p, 500);
  ASSERT_EQ(reports.size(), 500U);
  for (const auto& r : reports) {
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.offset, -1);
  }
}

TEST_F(ProducerTest, CloseRefusesNewRecordsAndIsIdempotent) {
  auto p = make();
  ASSERT_TRUE(p);
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  EXPECT_EQ(p->close(10s), rk::Errc::kOk);
  EXPECT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kClosed);
  EXPECT_EQ(p->close(10s), rk::Errc::kOk);
  EXPECT_EQ(collect(*p, 1).size(), 1U);
}

// A close() that timed out purged records; a second close() must not then
// say kOk as if everything had been delivered.
TEST(ProducerShutdown, ASecondCloseAnswersAsTheFirst) {
  rk::Config config = rk::Config::low_latency();
  config.bootstrap_servers("127.0.0.1:1");  // nothing listens there
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok());
  auto& p = *made.value();
  const rk::Topic t = p.topic("nowhere").value();
  ASSERT_EQ(p.produce(t, "k", "v"), rk::Errc::kOk);
  EXPECT_EQ(p.close(50ms), rk::Errc::kTimedOut);
  EXPECT_EQ(p.close(50ms), rk::Errc::kTimedOut);
}

TEST(ProducerShutdown, DestructorDoesNotHangOnAnUnreachableBrokerAndPurges) {
  std::atomic<int> purged{0};
  rk::Config config = rk::Config::low_latency();
  config.bootstrap_servers("127.0.0.1:1");  // nothing listens there
  ASSERT_TRUE(config.set("request.timeout.ms", "500").ok());
  ASSERT_TRUE(config.set("delivery.timeout.ms", "1000").ok());
  config.delivery_callback(
      [](const rk::DeliveryReport& r, void* ctx) noexcept {
        // Purged at close, or timed out just before: an error either way.
        if (r.error == rk::Errc::kPurged || r.error == rk::Errc::kMessageTimedOut) {
          static_cast<std::atomic<int>*>(ctx)->fetch_add(1);
        }
      },
      &purged);
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto p = rk::Producer::create(config);
    ASSERT_TRUE(p.ok());
    const auto t = p.value()->topic("orders").value();
    for (int i = 0; i < 10; ++i) ASSERT_EQ(p.value()->produce(t, "k", "v"), rk::Errc::kOk);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 15s);
  EXPECT_EQ(purged.load(), 10);
}

TEST_F(ProducerTest, ManyThreadsEachGetTheirOwnReports) {
  auto p = make();
  ASSERT_TRUE(p);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = std::string("thread-").append(std::to_string(t));
      std::size_t got = 0;
      rk::DeliveryReport buf[128];
      for (int i = 0; i < kPerThread; ++i) {
        void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(t + 1));
        while (p->produce(topic_, key, "v", {.opaque = opaque}) !=
               rk::Errc::kOk) {
          got += p->poll(buf);
        }
      }
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (got < kPerThread && std::chrono::steady_clock::now() < deadline) {
        const std::size_t n = p->poll(buf);
        for (std::size_t j = 0; j < n; ++j) {
          if (reinterpret_cast<std::uintptr_t>(buf[j].opaque) != static_cast<std::uintptr_t>(t + 1)) ++wrong;
        }
        got += n;
      }
      EXPECT_EQ(got, static_cast<std::size_t>(kPerThread));
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(records_on_broker(broker_), kThreads * kPerThread);
}

}  // namespace
