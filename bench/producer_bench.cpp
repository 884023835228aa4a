// What one produce() call costs the application thread, for ringkafka and
// for librdkafka's rd_kafka_producev, in the same binary and run, against
// the same sink (the test broker, in this process), with the same record:
// a 16-byte key and a 100-byte value, copied.  Both are set up alike:
// linger 0, acks=1, no compression, no idempotence; delivery reports are
// served every 256 records (poll() here, rd_kafka_poll(rk, 0) there) and
// that cost is inside the measurement for both.
//
// Three views:
//   *_throughput   closed loop, 1, 2, 4 and 8 producing threads sharing one
//                  producer (a ring per thread for ringkafka, one rd_kafka_t
//                  for librdkafka): Google Benchmark's mean time per call.
//   *_latency      the same closed loop, each call timed alone into a
//                  log-linear histogram per thread: p50, p99, p99.9, p99.99
//                  and max as counters, in nanoseconds, averaged over the
//                  threads.  As fast as the producer accepts, so the tails
//                  are backpressure (a full queue), not the call.
//   *_paced        one thread calling at a fixed rate below what the sender
//                  (ringkafka_reserve_commit_paced: the record written in
//                  place through reserve/commit instead of produce())
//                  and the sink sustain, each call timed alone: what a call
//                  costs when nothing is full.
//   timer_overhead an empty timed region: the part of every sample above
//                  that is the timer itself, measured in the same run
//                  (timer_overhead_paced: paced as the *_paced rows are).
// Calls are timed with the TSC (rdtsc, about 12 ns here, against 32 ns for
// steady_clock), converted with a rate calibrated against steady_clock at
// start.  docs/benchmarks.md has the figures and the machine.
#include <librdkafka/rdkafka.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
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

// TSC ticks per nanosecond, measured once over 50 ms of steady_clock.  The
// machines here have constant_tsc and nonstop_tsc; elsewhere, treat the
// figures with suspicion.
double tsc_per_ns() {
  static const double rate = [] {
    const std::int64_t n0 = now_ns();
    const std::uint64_t t0 = __rdtsc();
    std::this_thread::sleep_for(50ms);
    const std::int64_t n1 = now_ns();
    const std::uint64_t t1 = __rdtsc();
    return static_cast<double>(t1 - t0) / static_cast<double>(n1 - n0);
  }();
  return rate;
}

// Ticks of one timed region, in nanoseconds.  The compiler barriers keep the
// call between the two reads; rdtsc itself may drift a few cycles either
// way, which is below the histogram's resolution at these values.
template <typename Fn>
std::uint64_t timed_ns(double ticks_per_ns, Fn&& fn) noexcept {
  const std::uint64_t t0 = __rdtsc();
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fn();
  std::atomic_signal_fence(std::memory_order_seq_cst);
  const std::uint64_t t1 = __rdtsc();
  return static_cast<std::uint64_t>(static_cast<double>(t1 - t0) / ticks_per_ns);
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

// RINGKAFKA_BENCH_X="key=value key=value" changes ringkafka's settings for
// an experiment (sender.idle.strategy=spin, say); a bad pair aborts.
void apply_env_overrides(rk::Config& config) {
  const char* env = std::getenv("RINGKAFKA_BENCH_X");
  if (env == nullptr) return;
  std::istringstream pairs{std::string(env)};
  for (std::string kv; pairs >> kv;) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || !config.set(kv.substr(0, eq), kv.substr(eq + 1)).ok()) {
      std::fprintf(stderr, "RINGKAFKA_BENCH_X: bad setting %s\n", kv.c_str());
      std::abort();
    }
  }
}

struct RingkafkaProducer {
  std::unique_ptr<rk::Producer> p;
  rk::Topic topic;
  static thread_local rk::DeliveryReport reports[256];

  RingkafkaProducer() : RingkafkaProducer(false) {}
  // With `statistics`: a snapshot every 10 ms to a callback that reads it
  // (the statistics path at a hundred times librdkafka's usual rate).
  explicit RingkafkaProducer(bool statistics) {
    auto config = rk::Config::low_latency();
    config.bootstrap_servers(sink().bootstrap());
    if (statistics) {
      if (!config.set("statistics.interval.ms", "10").ok()) std::abort();
      config.statistics_callback([](const rk::Statistics& s, void*) noexcept {
        benchmark::DoNotOptimize(s.records_delivered);
      });
    }
    apply_env_overrides(config);
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
    // Full (low_latency has max.block.ms=0): serve reports and give the
    // CPU away, as rd_kafka_poll(rk, 1) does below; spinning here would
    // starve the sender when producing threads outnumber the cores.
    while (p->produce(topic, rk::Bytes(r.key, 16), rk::Bytes(r.value, 100)) != rk::Errc::kOk) {
      if (p->poll(reports) == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  void serve() noexcept { p->poll(reports); }
};

thread_local rk::DeliveryReport RingkafkaProducer::reports[256];

// The same, while the sender builds statistics every 10 ms.
struct RingkafkaWithStatistics : RingkafkaProducer {
  RingkafkaWithStatistics() : RingkafkaProducer(true) {}
};

// The same record written in place: reserve(), the caller's own encoding
// (here the two copies produce() would make), commit().
struct RingkafkaReserve : RingkafkaProducer {
  void produce(Record& r) noexcept {
    rk::Reservation res;
    while (p->reserve(res, topic, 16, 100) != rk::Errc::kOk) {
      if (p->poll(reports) == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    std::memcpy(res.key().data(), r.key, 16);
    std::memcpy(res.value().data(), r.value, 100);
    p->commit(res);
  }
};

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
  const double rate = tsc_per_ns();
  rk::metrics::Histogram h(1'000'000'000);
  Record r;
  std::uint64_t i = 0;
  for (auto _ : state) {
    r.set(i);
    h.record(timed_ns(rate, [&] { producer.produce(r); }));
    if ((++i & 255) == 0) producer.serve();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  report_percentiles(state, h);
}

// While alive, the calling thread has CPU 0 to itself within this process:
// every other thread (the sender, librdkafka's threads, the test broker) is
// moved to the last CPU.  Otherwise, on two cores, the threads woken for
// each request preempt the caller in the middle of a call, and the tail
// measures the scheduler.  Undone at the end.
class IsolatedCaller {
 public:
  IsolatedCaller() {
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 2) return;
    active_ = true;
    const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
    cpu_set_t others;
    CPU_ZERO(&others);
    CPU_SET(static_cast<std::size_t>(cpus - 1), &others);
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      const auto tid = static_cast<pid_t>(std::stol(entry.path().filename().string()));
      if (tid != self) sched_setaffinity(tid, sizeof others, &others);
    }
    cpu_set_t mine;
    CPU_ZERO(&mine);
    CPU_SET(std::size_t{0}, &mine);
    sched_setaffinity(0, sizeof mine, &mine);
  }
  ~IsolatedCaller() {
    if (!active_) return;
    cpu_set_t all;
    CPU_ZERO(&all);
    for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN); ++c) CPU_SET(static_cast<std::size_t>(c), &all);
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
      sched_setaffinity(static_cast<pid_t>(std::stol(entry.path().filename().string())),
                        sizeof all, &all);
    }
  }
  IsolatedCaller(const IsolatedCaller&) = delete;
  IsolatedCaller& operator=(const IsolatedCaller&) = delete;

 private:
  bool active_ = false;
};

// One call every 1e9 / state.range(0) ns, spinning in between.  A call that
// ran late moves the schedule instead of bunching the next ones: this
// measures the call, and ringkafka-perf's open loop measures lateness.
template <typename Call, typename Serve>
void run_paced(benchmark::State& state, Call&& call, Serve&& serve) {
  const IsolatedCaller isolated;
  const double rate = tsc_per_ns();
  const auto period = static_cast<std::uint64_t>(rate * 1e9 / static_cast<double>(state.range(0)));
  rk::metrics::Histogram h(1'000'000'000);
  Record r;
  std::uint64_t i = 0;
  std::uint64_t next = __rdtsc();
  for (auto _ : state) {
    while (__rdtsc() < next) _mm_pause();
    r.set(i);
    h.record(timed_ns(rate, [&] { call(r); }));
    if ((++i & 255) == 0) serve();
    next = std::max<std::uint64_t>(next + period, __rdtsc());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  report_percentiles(state, h);
}

template <typename Producer>
void BM_paced(benchmark::State& state) {
  Producer& producer = shared_producer<Producer>();
  run_paced(state, [&](Record& r) { producer.produce(r); }, [&] { producer.serve(); });
}

// The timer alone under the same pacing: what each paced sample carries
// that is not the call (the back-to-back timer_overhead below runs hot).
void BM_timer_overhead_paced(benchmark::State& state) {
  int sink_value = 0;
  run_paced(state, [&](Record&) { benchmark::DoNotOptimize(sink_value); }, [] {});
}

void BM_timer_overhead(benchmark::State& state) {
  const double rate = tsc_per_ns();
  rk::metrics::Histogram h(1'000'000'000);
  int sink_value = 0;
  for (auto _ : state) {
    h.record(timed_ns(rate, [&] { benchmark::DoNotOptimize(sink_value); }));
  }
  report_percentiles(state, h);
}

BENCHMARK(BM_timer_overhead_paced)->Name("timer_overhead_paced")->Arg(200'000)->MinTime(2.0)->UseRealTime();
BENCHMARK_TEMPLATE(BM_throughput, RingkafkaProducer)
    ->Name("ringkafka_produce_throughput")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_throughput, RdkafkaProducer)
    ->Name("librdkafka_producev_throughput")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_latency, RingkafkaProducer)
    ->Name("ringkafka_produce_latency")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
BENCHMARK_TEMPLATE(BM_latency, RdkafkaProducer)
    ->Name("librdkafka_producev_latency")->MinTime(1.0)->ThreadRange(1, 8)->UseRealTime();
// 200,000 calls/s: well under what either producer and the sink sustain on
// two shared cores (about 1.5 M/s for librdkafka), so no queue fills.
BENCHMARK_TEMPLATE(BM_paced, RingkafkaProducer)
    ->Name("ringkafka_produce_paced")->Arg(200'000)->MinTime(2.0)->UseRealTime();
BENCHMARK_TEMPLATE(BM_paced, RingkafkaWithStatistics)
    ->Name("ringkafka_produce_paced_statistics")->Arg(200'000)->MinTime(2.0)->UseRealTime();
BENCHMARK_TEMPLATE(BM_paced, RingkafkaReserve)
    ->Name("ringkafka_reserve_commit_paced")->Arg(200'000)->MinTime(2.0)->UseRealTime();
BENCHMARK_TEMPLATE(BM_paced, RdkafkaProducer)
    ->Name("librdkafka_producev_paced")->Arg(200'000)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_timer_overhead)->Name("timer_overhead")->MinTime(0.5);

}  // namespace

BENCHMARK_MAIN();
