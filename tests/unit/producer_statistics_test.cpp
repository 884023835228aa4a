// Statistics (ringkafka/statistics.h) against the test broker: each
// counter moves when what it counts happens (records, failures by cause,
// retries, throttle, connections, partitions, latency windows), the
// callback comes every statistics.interval.ms, the JSON reads back with a
// JSON library and the Prometheus text is checked by Prometheus's own
// Python parser (tests/tools/prometheus_check.py).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../broker/test_broker.h"
#include "make_producer.h"
#include "ringkafka/producer.h"
#include "ringkafka/statistics.h"
#include "wire/error_code.h"

namespace rk = ringkafka;
namespace tb = ringkafka::test_broker;
using namespace std::chrono_literals;

namespace {

class ProducerStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(broker_.start(), ""); }

  std::unique_ptr<rk::Producer> make(std::map<std::string, std::string> extra = {},
                                     rk::Config config = rk::Config::durable()) {
    extra.try_emplace("linger.ms", "0");
    extra.try_emplace("retry.backoff.ms", "10");
    extra.try_emplace("retry.backoff.max.ms", "50");
    extra.try_emplace("client.id", "stats-test");
    auto p = tb::make_producer(std::move(config), broker_.bootstrap(), extra);
    if (p) topic_ = p->topic("orders").value();
    return p;
  }

  // n records to partition i % 3; every report polled.
  void produce_and_wait(rk::Producer& p, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(p.produce(topic_, "key", "value", {.partition = i % 3}),
                rk::Errc::kOk);
    }
    ASSERT_EQ(p.flush(20s), rk::Errc::kOk);
    rk::DeliveryReport reports[64];
    while (p.poll(reports) != 0) {
    }
  }

  tb::TestBroker broker_{tb::Config{1, {{"orders", 3}}, true, 100 << 20}};
  rk::Topic topic_;
};

TEST_F(ProducerStatisticsTest, CountersMoveWithWhatTheyCount) {
  auto p = make();
  ASSERT_TRUE(p);
  produce_and_wait(*p, 30);
  rk::Statistics s;
  ASSERT_EQ(p->statistics(s), rk::Errc::kOk);
  EXPECT_EQ(s.client_id, "stats-test");
  EXPECT_EQ(s.records_accepted, 30U);
  EXPECT_EQ(s.records_delivered, 30U);
  EXPECT_EQ(s.records_failed, 0U);
  EXPECT_EQ(s.records_in_flight, 0U);
  EXPECT_GE(s.produce_requests, 1U);
  EXPECT_GE(s.batches_sent, 3U);
  EXPECT_GE(s.producer_id, 0);  // durable: idempotent
  EXPECT_EQ(s.buffer_memory, 33554432U);
  ASSERT_EQ(s.threads.size(), 1U);
  EXPECT_EQ(s.threads[0].accepted, 30U);
  EXPECT_EQ(s.threads[0].reported, 30U);
  EXPECT_EQ(s.threads[0].ring_used, 0U);

  // The bootstrap entry and node 1.
  std::uint64_t requests = 0;
  std::uint64_t responses = 0;
  bool up = false;
  for (const rk::BrokerStats& b : s.brokers) {
    requests += b.requests;
    responses += b.responses;
    EXPECT_GE(b.request_bytes, b.requests * 8) << b.host;
    if (b.node_id == 1) {
      up = b.state == "up";
      EXPECT_EQ(b.connects, 1U);
      EXPECT_GE(b.rtt.count, 1U);
      EXPECT_GE(b.outbuf.count, 1U);
    }
  }
  EXPECT_TRUE(up);
  EXPECT_GE(requests, s.produce_requests + 2);  // ApiVersions, Metadata, InitProducerId
  EXPECT_GE(responses, s.produce_requests);

  ASSERT_EQ(s.partitions.size(), 3U);
  std::uint64_t records = 0;
  for (const rk::PartitionStats& ps : s.partitions) {
    EXPECT_EQ(ps.topic, "orders");
    EXPECT_EQ(ps.leader, 1);
    EXPECT_GE(ps.batches, 1U);
    EXPECT_GT(ps.bytes, 0U);
    EXPECT_GT(ps.avg_batch_fill, 0.0);
    EXPECT_LE(ps.avg_batch_fill, ps.max_batch_fill);
    EXPECT_GT(ps.compression_ratio, 0.0);  // 1 without compression (headers alike)
    EXPECT_EQ(ps.next_sequence, 10);       // 10 records each
    records += ps.records;
  }
  EXPECT_EQ(records, 30U);

  // The stages of this window: every record's.
  EXPECT_GE(s.int_latency.count, 3U);
  EXPECT_EQ(s.report_latency.count, 30U);
  EXPECT_GE(s.rtt.count, s.produce_requests);
  EXPECT_LE(s.report_latency.min_ns, s.report_latency.p50_ns);
  EXPECT_LE(s.report_latency.p50_ns, s.report_latency.p99_ns);
  EXPECT_LE(s.report_latency.p99_ns, s.report_latency.max_ns);
  EXPECT_GT(s.report_latency.min_ns, 0U);  // a round trip, at least

  // A new window: nothing happened since.
  rk::Statistics next;
  ASSERT_EQ(p->statistics(next), rk::Errc::kOk);
  EXPECT_GT(next.snapshot, s.snapshot);
  EXPECT_EQ(next.report_latency.count, 0U);
  EXPECT_EQ(next.report_latency.total_count, 30U);  // Prometheus's _count runs on
  EXPECT_EQ(next.report_latency.total_ns, s.report_latency.total_ns);
  EXPECT_EQ(next.records_delivered, 30U);  // counters count on

  // From a sender thread (a callback), it would wait for itself; a 0
  // timeout takes the last snapshot without asking.
  rk::Statistics last;
  ASSERT_EQ(p->statistics(last, 0ms), rk::Errc::kOk);
  EXPECT_EQ(last.snapshot, next.snapshot);
}

TEST_F(ProducerStatisticsTest, FailuresCountByCauseAndRetriesAndThrottleShow) {
  auto p = make({{"delivery.timeout.ms", "5000"}, {"request.timeout.ms", "1000"}});
  ASSERT_TRUE(p);
  produce_and_wait(*p, 3);  // connected, with a producer id
  // Two retriable failures, then accepted: two retries.
  broker_.fail_produce("orders", 0,
                       static_cast<std::int16_t>(rk::wire::ErrorCode::kNotEnoughReplicas), 2);
  broker_.throttle(1, 7);
  ASSERT_EQ(p->produce(topic_, "k", "v", {.partition = 0}), rk::Errc::kOk);
  ASSERT_EQ(p->flush(20s), rk::Errc::kOk);
  broker_.throttle(1, 0);
  // A record refused for good: RECORD_LIST_TOO_LARGE.
  broker_.fail_produce("orders", 1,
                       static_cast<std::int16_t>(rk::wire::ErrorCode::kRecordListTooLarge), 1);
  ASSERT_EQ(p->produce(topic_, "k", "v", {.partition = 1}), rk::Errc::kOk);
  ASSERT_EQ(p->flush(20s), rk::Errc::kOk);

  rk::Statistics s;
  ASSERT_EQ(p->statistics(s), rk::Errc::kOk);
  EXPECT_EQ(s.records_accepted, 5U);
  EXPECT_EQ(s.records_delivered, 4U);
  EXPECT_EQ(s.records_failed, 1U);
  EXPECT_EQ(s.failed_by_cause[static_cast<std::size_t>(rk::Errc::kBroker)], 1U);
  EXPECT_GE(s.batch_retries, 2U);
  const rk::BrokerStats* node = nullptr;
  for (const rk::BrokerStats& b : s.brokers) {
    if (b.node_id == 1) node = &b;
  }
  ASSERT_NE(node, nullptr);
  EXPECT_GE(node->throttle_ms, 7U);
  EXPECT_EQ(node->last_throttle_ms, 7);
}

TEST_F(ProducerStatisticsTest, WhatWaitsShowsWhileTheBrokerIsSlow) {
  // Answers 800 ms late and buffer.memory for a few batches: requests and
  // batches in flight, buffer memory in use, and records left in the ring.
  // (Not less: with room for one batch buffer, records parked before the
  // topic's metadata wait for a second one that never comes.)
  auto p = make({{"buffer.memory", "262144"}, {"batch.size", "16384"}, {"linger.ms", "0"},
                 {"request.timeout.ms", "10000"}, {"delivery.timeout.ms", "30000"}});
  ASSERT_TRUE(p);
  produce_and_wait(*p, 3);
  broker_.delay_responses(1, 800ms);
  const std::string value(400, 'v');
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    if (p->produce(topic_, "k", value, {.partition = i % 3}) == rk::Errc::kOk) {
      ++accepted;
    }
  }
  std::this_thread::sleep_for(200ms);  // the sender has sent what fits
  rk::Statistics s;
  ASSERT_EQ(p->statistics(s), rk::Errc::kOk);
  EXPECT_GT(s.records_in_flight, 0U);
  EXPECT_EQ(s.records_in_flight, static_cast<std::uint64_t>(accepted) + 3U - s.records_delivered);
  EXPECT_GE(s.requests_in_flight, 1U);
  EXPECT_GT(s.buffer_memory_used, 0U);
  EXPECT_LE(s.buffer_memory_used, 262144U);
  ASSERT_EQ(s.threads.size(), 1U);
  EXPECT_GT(s.threads[0].ring_used, 0U) << "the ring waits for buffer memory";
  std::uint32_t batches_in_flight = 0;
  for (const rk::PartitionStats& ps : s.partitions) batches_in_flight += ps.batches_in_flight;
  EXPECT_GE(batches_in_flight, 1U);
  const rk::BrokerStats* node = nullptr;
  for (const rk::BrokerStats& b : s.brokers) {
    if (b.node_id == 1) node = &b;
  }
  ASSERT_NE(node, nullptr);
  EXPECT_GE(node->in_flight, 1U);

  broker_.delay_responses(1, 0ms);
  ASSERT_EQ(p->flush(30s), rk::Errc::kOk);
  ASSERT_EQ(p->statistics(s), rk::Errc::kOk);
  EXPECT_EQ(s.records_in_flight, 0U);
  EXPECT_EQ(s.buffer_memory_used, 0U);
  EXPECT_EQ(s.threads[0].ring_used, 0U);
  EXPECT_EQ(s.records_delivered, static_cast<std::uint64_t>(accepted) + 3U);
  // The late answers are in the window's rtt.
  EXPECT_GE(s.rtt.max_ns, 700'000'000U);
}

TEST_F(ProducerStatisticsTest, ABrokerThatFailsShowsItsStateAndError) {
  auto p = make({{"reconnect.backoff.ms", "1000"}, {"reconnect.backoff.max.ms", "1000"}});
  ASSERT_TRUE(p);
  produce_and_wait(*p, 3);
  broker_.set_down(1, true);
  // The cut is seen when the connection next reads or writes.
  ASSERT_EQ(p->produce(topic_, "k", "v", {.partition = 0}), rk::Errc::kOk);
  rk::Statistics s;
  const auto until = std::chrono::steady_clock::now() + 10s;
  const rk::BrokerStats* node = nullptr;
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(p->statistics(s), rk::Errc::kOk);
    node = nullptr;
    for (const rk::BrokerStats& b : s.brokers) {
      if (b.node_id == 1) node = &b;
    }
    if (node != nullptr && node->failures != 0) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(node, nullptr);
  EXPECT_GE(node->failures, 1U);
  EXPECT_NE(node->state, "up");
  EXPECT_NE(node->last_error.find("(node 1)"), std::string::npos) << node->last_error;
  broker_.set_down(1, false);
}

struct Seen {
  std::mutex mu;
  std::vector<std::uint64_t> snapshots;
  std::vector<std::int64_t> windows_us;
  std::string json;
  std::string prometheus;
};

void on_statistics(const rk::Statistics& s, void* context) noexcept {
  auto* seen = static_cast<Seen*>(context);
  const std::lock_guard lock(seen->mu);
  seen->snapshots.push_back(s.snapshot);
  seen->windows_us.push_back(s.window_us);
  if (s.records_delivered != 0 && seen->json.empty()) {
    seen->json = rk::to_json(s);
    seen->prometheus = rk::to_prometheus(s);
  }
}

TEST_F(ProducerStatisticsTest, TheCallbackComesEveryIntervalAndItsFormatsParse) {
  Seen seen;
  rk::Config config = rk::Config::durable();
  config.statistics_callback(on_statistics, &seen);
  auto p = make({{"statistics.interval.ms", "100"}}, config);
  ASSERT_TRUE(p);
  const rk::Topic odd = p->topic("orders").value();
  produce_and_wait(*p, 9);
  std::this_thread::sleep_for(650ms);
  std::string json;
  std::string prometheus;
  {
    const std::lock_guard lock(seen.mu);
    // About 6 at 100 ms; a loaded machine may give fewer, never a burst.
    EXPECT_GE(seen.snapshots.size(), 3U);
    EXPECT_LE(seen.snapshots.size(), 10U);
    for (std::size_t i = 1; i < seen.snapshots.size(); ++i) {
      EXPECT_GT(seen.snapshots[i], seen.snapshots[i - 1]);
    }
    json = seen.json;
    prometheus = seen.prometheus;
  }
  (void)odd;
  ASSERT_FALSE(json.empty());
  const auto j = nlohmann::json::parse(json);
  EXPECT_EQ(j["client_id"], "stats-test");
  EXPECT_EQ(j["records_delivered"], 9);
  EXPECT_EQ(j["partitions"].size(), 3U);
  EXPECT_EQ(j["partitions"][0]["topic"], "orders");
  EXPECT_TRUE(j["rtt_ns"].contains("p99"));
  EXPECT_TRUE(j["brokers"][0].contains("last_error"));

  // Prometheus's parser (python3-prometheus-client) reads every family;
  // Debian's python3, which that package is for.
  const std::string path = ::testing::TempDir() + "/ringkafka-stats.prom";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(prometheus.c_str(), f);
  std::fclose(f);
  const std::string check =
      std::string("/usr/bin/python3 ") + RINGKAFKA_TOOLS_TESTS_DIR + "/prometheus_check.py " + path;
  EXPECT_EQ(std::system(check.c_str()), 0) << prometheus;
}

struct FromCallback {
  std::atomic<rk::Producer*> producer{nullptr};
  std::atomic<int> answer{-1};
};

void on_report(const rk::DeliveryReport&, void* context) noexcept {
  auto* from = static_cast<FromCallback*>(context);
  rk::Producer* p = from->producer.load();
  rk::Statistics s;  // allocation on the sender: a test, not a pattern
  if (p != nullptr) from->answer = static_cast<int>(p->statistics(s, 10s));
}

TEST_F(ProducerStatisticsTest, FromTheSenderThreadItRefusesRatherThanWaitForItself) {
  FromCallback from;
  rk::Config config = rk::Config::durable();
  config.delivery_callback(on_report, &from);
  auto p = make({}, config);
  ASSERT_TRUE(p);
  from.producer = p.get();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(p->produce(topic_, "k", "v"), rk::Errc::kOk);
  ASSERT_EQ(p->flush(20s), rk::Errc::kOk);
  EXPECT_EQ(from.answer.load(), static_cast<int>(rk::Errc::kState));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);  // not the 10 s it asked for
}

TEST(ProducerStatisticsJson, EscapesWhatTheBrokerAndTheUserWrote) {
  rk::Statistics s;
  s.client_id = "a\"b\\c\nd";
  s.brokers.resize(1);
  s.brokers[0].last_error = "cannot connect to \"x\": \x01";
  const auto j = nlohmann::json::parse(rk::to_json(s));
  EXPECT_EQ(j["client_id"], "a\"b\\c\nd");
  EXPECT_EQ(j["brokers"][0]["last_error"], "cannot connect to \"x\": \x01");
  const std::string prom = rk::to_prometheus(s);
  EXPECT_NE(prom.find("client_id=\"a\\\"b\\\\c\\nd\""), std::string::npos) << prom;
  // An empty window's quantiles are NaN; the running count stays a number.
  EXPECT_NE(prom.find("ringkafka_rtt_seconds{client_id=\"a\\\"b\\\\c\\nd\",quantile=\"0.5\"} NaN"),
            std::string::npos) << prom;

  // A text cut inside a UTF-8 character, or a broker's bytes: replaced,
  // never thrown (the callback that formats is noexcept).
  s.brokers[0].last_error = "lost: \xe2\x82";
  std::string replaced;
  EXPECT_NO_THROW(replaced = rk::to_json(s));
  EXPECT_TRUE(nlohmann::json::accept(replaced));
}

}  // namespace
