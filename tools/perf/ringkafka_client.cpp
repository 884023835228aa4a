#include "ringkafka_client.h"

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ringkafka/producer.h"

namespace perf {
namespace {

namespace rk = ringkafka;

class RingkafkaClient {
 public:
  struct Thread {
    ThreadStats* stats;
    rk::DeliveryReport reports[256];
  };

  RingkafkaClient(rk::Producer& producer, rk::Topic topic) noexcept
      : producer_(producer), topic_(topic) {}

  Thread begin_thread(ThreadStats& stats) noexcept {
    (void)producer_.register_thread();  // a refusal shows again in produce()
    return Thread{&stats, {}};
  }

  Status produce(Thread& t, const Payload& p, void* opaque) noexcept {
    const rk::Errc e = producer_.produce(topic_, bytes(p.key, p.key_size),
                                         bytes(p.value, p.value_size), {.opaque = opaque});
    if (e == rk::Errc::kOk) return Status::kOk;
    if (rk::is_full(e)) return Status::kFull;
    t.stats->on_failure(rk::to_string(e));
    return Status::kRefused;
  }

  std::size_t poll(Thread& t) noexcept {
    const std::size_t n = producer_.poll(t.reports);
    for (std::size_t i = 0; i < n; ++i) {
      const rk::DeliveryReport& r = t.reports[i];
      t.stats->on_report(r.opaque, r.sent_ns, r.ok() ? nullptr : describe(r));
    }
    return n;
  }

  // The ring or the report queue is full: reports polled make room in the
  // latter, the sender draining in the former.
  void wait_for_room(Thread& t) noexcept {
    if (poll(t) == 0) std::this_thread::yield();
  }

  // poll() returns only this thread's reports.
  static bool pending(const Thread& t) noexcept { return t.stats->reported < t.stats->accepted; }

 private:
  static rk::Bytes bytes(const char* data, std::size_t size) noexcept {
    return data == nullptr ? rk::Bytes::null() : rk::Bytes(data, size);
  }
  // The report's message when it has one (static text), else the code's.
  static const char* describe(const rk::DeliveryReport& r) noexcept {
    return *r.message != '\0' ? r.message : rk::to_string(r.error);
  }

  rk::Producer& producer_;
  rk::Topic topic_;
};

}  // namespace

// The snapshots' JSON lines, kept until the run ends.
struct StatsLines {
  std::mutex mu;
  std::vector<std::string> lines;

  static void on_statistics(const rk::Statistics& s, void* context) noexcept {
    auto* self = static_cast<StatsLines*>(context);
    try {
      std::string line = rk::to_json(s);
      const std::lock_guard lock(self->mu);
      self->lines.push_back(std::move(line));
    } catch (...) {  // out of memory: the snapshot is lost, the run goes on
    }
  }
};

std::optional<std::string> run_ringkafka(const rk::Config& base, std::string_view topic,
                                         const Workload& w, RunResult& out,
                                         const std::string& stats_path,
                                         std::int32_t stats_interval_ms) {
  rk::Config config = base;
  StatsLines stats;
  if (!stats_path.empty()) {
    if (auto set = config.set("statistics.interval.ms", std::to_string(stats_interval_ms)); !set) {
      return set.error().message;
    }
    config.statistics_callback(&StatsLines::on_statistics, &stats);
  }
  auto created = rk::Producer::create(config);
  if (!created) return created.error().message;
  rk::Producer& producer = **created;
  auto handle = producer.topic(topic);
  if (!handle) return handle.error().message;
  RingkafkaClient client(producer, *handle);
  const auto drain_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(w.drain_timeout_ns));

  // Prime: metadata fetched, connections made, before any clock starts.
  {
    ThreadStats prime;
    auto t = std::make_unique<RingkafkaClient::Thread>(client.begin_thread(prime));
    for (std::uint64_t i = 0; i < 16; ++i) {
      const Payload p{reinterpret_cast<const char*>(&i), sizeof i, "prime", 5};
      Status st;
      while ((st = client.produce(*t, p, nullptr)) == Status::kFull) client.wait_for_room(*t);
      if (st == Status::kOk) ++prime.accepted;
    }
    (void)producer.flush(drain_timeout);
    while (client.poll(*t) != 0) {
    }
    if (prime.failed != 0) return std::string("priming failed: ") + prime.first_error;
    if (prime.reported != prime.accepted) return std::string("priming timed out: no delivery reports");
  }

  Measured m = run_workload(client, w);

  // Reports left behind (threads that timed out draining) are polled here;
  // records still without one after close are undelivered.
  auto tail_stats = std::make_unique<ThreadStats>();
  auto tail = std::make_unique<RingkafkaClient::Thread>(client.begin_thread(*tail_stats));
  (void)producer.close(std::chrono::milliseconds(5000));
  while (client.poll(*tail) != 0) {
  }
  out.undelivered = producer.in_flight();
  m.threads.push_back(std::move(tail_stats));
  merge(m, out);
  out.has_wire = true;
  out.failed += out.undelivered;
  if (out.undelivered != 0 && out.first_error.empty()) out.first_error = "no delivery report";
  if (const std::string fatal = producer.fatal_error(); !fatal.empty()) out.first_error = fatal;
  if (!stats_path.empty()) {
    created->reset();  // the sender stopped: no callback races the write
    std::ofstream file(stats_path);
    for (const std::string& line : stats.lines) file << line << '\n';
    if (!file) return "cannot write " + stats_path;
    std::cerr << "ringkafka-perf: " << stats.lines.size() << " statistics snapshots in "
              << stats_path << "\n";
  }
  return std::nullopt;
}

}  // namespace perf
