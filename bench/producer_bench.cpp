// What one produce() call costs the application thread, for ringkafka and
// for librdkafka's rd_kafka_producev, in the same binary and run, against
// the same sink (the test broker, in this process), with the same record:
// a 16-byte key and a 100-byte value, copied.  Both are set up alike:
// linger 0, acks=1, no compression, no idempotence; delivery reports are
// served every 256 records (poll() here, rd_kafka_poll(rk, 0) there) and
// that cost is inside the measurement for both.
//
// Two views, each with 1, 2, 4 and 8 producing threads sharing one
// producer (a ring per thread for ringkafka, one rd_kafka_t for
// librdkafka):
//   *_throughput   Google Benchmark's mean time per call.
//   *_latency      each call timed alone with the steady clock (about 20 ns
//                  of clock is inside every sample, for both libraries) into
//                  a log-linear histogram per thread: p50, p99, p99.9,
//                  p99.99 and max as counters, in nanoseconds, averaged
//                  over the threads.
// docs/benchmarks.md has the figures and the machine.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>

#include "../tests/broker/test_broker.h"
#include "metrics/histogram.h"
#include "ringkafka/producer.h"

namespace rk = ringkafka;
using namespace std::chrono_literals;

namespace {

constexpr int kPartitions = 4;

rk::test_broker::TestBroker& sink() {
  static auto* broker = [] {
    rk::test_broker::Config c;
    c.topics = {{"bench", kPartitions}};
    c.keep_batches = false;
    auto* b = new rk::test_broker::TestBroker(c);
    if (!b->start().empty()) std::abort();
    return b;
  }();
  return *broker;
}

struct Record {
  char key[16];
  char value[100];
  Record() {
    std::memset(key, 'k', sizeof key);
    std::memset(value, 'v', sizeof value);
  }
  void set(std::uint64_t i) noexcept { std::memcpy(key, &i, sizeof i); }
};

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void report_percentiles(benchmark::State& state, const rk::metrics::Histogram& h) {
  auto avg = [](std::uint64_t v) {
    return benchmark::Counter(static_cast<double>(v), benchmark::Counter::kAvgThreads);
  };
  state.counters["p50_ns"] = avg(h.value_at_percentile(50));
  state.counters["p99_ns"] = avg(h.value_at_percentile(99));
  state.counters["p99.9_ns"] = avg(h.value_at_percentile(99.9));
  state.counters["p99.99_ns"] = avg(h.value_at_percentile(99.99));
  state.counters["max_ns"] = avg(h.max());
}

// One producer of each kind for the whole run, shared by the benchmark's
// threads; made on first use (outside any timing) and never destroyed, so
// that no benchmark pays for another's connection setup or flush.
template <typename Producer>
Producer& shared_producer() {
  static auto* p = new Producer;
  return *p;
}

// --- ringkafka -----------------------------------------------------------------

struct RingkafkaProducer {
  std::unique_ptr<rk::Producer> p;
  rk::Topic topic;
  static thread_local rk::DeliveryReport reports[256];

  RingkafkaProducer() {
    auto config = rk::Config::low_latency();
    config.bootstrap_servers(sink().bootstrap());
    auto made = rk::Producer::create(config);
    if (!made.ok()) std::abort();
    p = std::move(made.value());
    topic = p->topic("bench").value();
    // Connected and warm before the clock starts.
    Record r;
    for (int i = 0; i < 1000; ++i) (void)p->produce(topic, rk::Bytes(r.key, 16), rk::Bytes(r.value, 100));
    (void)p->flush(10s);
    drain();
  }
  void drain() noexcept {
    while (p->poll(reports) != 0) {
    }
  }
  void produce(Record& r) noexcept {
    while (p->produce(topic, rk::Bytes(r.key, 16), rk::Bytes(r.value, 100)) != rk::Errc::kOk) {
      p->poll(reports);
    }
  }
  void serve() noexcept { p->poll(reports); }
};

thread_local rk::DeliveryReport RingkafkaProducer::reports[256];

// --- librdkafka ----------------------------------------------------------------

struct RdkafkaProducer {
  rd_kafka_t* rk = nullptr;

  RdkafkaProducer() {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto set = [&](const char* k, const std::string& v) {
      if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) std::abort();
    };
    set("bootstrap.servers", sink().bootstrap());
    set("linger.ms", "0");
    set("acks", "1");
    set("compression.codec", "none");
    set("enable.idempotence", "false");
    set("queue.buffering.max.messages", "1000000");
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t*, void*) {});
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk == nullptr) std::abort();
    Record r;
    for (int i = 0; i < 1000; ++i) produce(r);
    rd_kafka_flush(rk, 10000);
  }
  // librdkafka's RD_KAFKA_V_* macros are C casts.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
  void produce(Record& r) noexcept {
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("bench"), RD_KAFKA_V_KEY(r.key, 16),
                             RD_KAFKA_V_VALUE(r.value, 100),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_END) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_poll(rk, 1);
    }
  }
#pragma GCC diagnostic pop
  void serve() noexcept { rd_kafka_poll(rk, 0); }
};

template <typename Producer>
void BM_throughput(benchmark::State& state) {
  Producer& producer = shared_producer<Producer>();
  Record r;
  std::uint64_t i = 0;
  for (auto _ : state) {
    r.set(i);
    producer.produce(r);
    if ((++i & 255) == 0) producer.serve();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
}

template <typename Producer>
void BM_latency(benchmark::State& state) {
  Producer& producer = shared_producer<Producer>();
  rk::metrics::Histogram h(1'000'000'000);
  Record r;
  std::uint64_t i = 0;
  for (auto _ : state) {
    r.set(i);
    const std::int64_t t0 = now_ns();
    producer.produce(r);
    h.record(static_cast<std::uint64_t>(now_ns() - t0));
    if ((++i & 255) == 0) producer.serve();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  report_percentiles(state, h);
}

BENCHMARK_TEMPLATE(BM_throughput, RingkafkaProducer)
    ->Name("ringkafka_produce_throughput")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_throughput, RdkafkaProducer)
    ->Name("librdkafka_producev_throughput")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_latency, RingkafkaProducer)
    ->Name("ringkafka_produce_latency")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_latency, RdkafkaProducer)
    ->Name("librdkafka_producev_latency")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
