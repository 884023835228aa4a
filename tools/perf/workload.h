// The workload ringkafka-perf drives through each client: N producing
// threads, each producing its share of the records in an open loop at a
// fixed rate (latency mode) or as fast as the client accepts them
// (throughput mode), and polling delivery reports on the same thread.
//
// What is measured, per record (steady clock = CLOCK_MONOTONIC, in ns):
//
//   intended ─── pacing ──► first produce() ─► accepted ──► handed to kernel ──► report polled
//      │◄────── late ──────────►│◄── call ───►│                    │                  │
//      ├──────────────────────────── wire ─────────────────────────┘                  │
//      │                        ├──── wire from call ──────────────┘                  │
//      └──────────────────────────── ack ────────────────────────────────────────────┘
//
//   intended  latency mode: start + i / (rate / threads), fixed before the run,
//             so a stall delays every later record and shows in their
//             latency (no coordinated omission: late records are produced at
//             once, never skipped).  Throughput mode: the first attempt.
//   late      latency mode: how late the thread got to the record, the load
//             generator's own part of wire and ack (sleep wake-ups, being
//             descheduled, produce() calls and polls running long).
//   call      from the first produce() attempt to the one that accepts the
//             record; kQueueFull answers (polled and retried) are inside it
//             and also counted apart as queue_full.
//   wire      DeliveryReport::sent_ns - intended (ringkafka only).
//   wire from call  DeliveryReport::sent_ns - the first produce() attempt:
//             the client's own share of wire, without the generator's
//             lateness (equal to wire in throughput mode).
//   ack       when poll() (or librdkafka's callback inside rd_kafka_poll)
//             hands over the report - intended.  Reports are polled before
//             every record and while waiting for the next send time, so a
//             report can wait up to one pacing sleep (--spin-us bounds it).
//
// The workload is a template over the client so that nothing but the
// client's own produce() sits between the two clock reads of `call`.  A
// client provides:
//
//   struct Thread;                          per producing thread
//   Thread begin_thread(ThreadStats&);      on that thread, before the clock starts
//   Status produce(Thread&, const Payload&, void* opaque) noexcept;
//   std::size_t poll(Thread&) noexcept;     reports into the thread's stats
//   void wait_for_room(Thread&) noexcept;   after kFull, before the retry
//   bool pending(Thread&) noexcept;         reports this thread still waits for
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/histogram.h"

namespace perf {

enum class Mode : std::uint8_t { kLatency, kThroughput, kTransactions };  // the last: transactions.h

struct Workload {
  Mode mode = Mode::kLatency;
  double rate = 10000;            // records/s over all threads (latency mode)
  std::uint64_t count = 100000;   // measured records, over all threads
  std::uint64_t warmup = 1000;    // unmeasured records before them, over all threads
  std::size_t value_size = 100;
  std::size_t key_size = 16;      // 0: null keys
  unsigned threads = 1;
  std::int64_t spin_ns = 200'000;  // latency mode: spin (polling) this close to a send time
  std::int64_t drain_timeout_ns = 0;  // after the last record, how long to wait for reports
};

enum class Status : std::uint8_t { kOk, kFull, kRefused };

struct Payload {
  const char* key = nullptr;  // nullptr: a null key
  std::size_t key_size = 0;
  const char* value = nullptr;
  std::size_t value_size = 0;
};

inline std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Sleeps until `deadline` (steady clock ns); returns at once if it passed.
void sleep_until_ns(std::int64_t deadline) noexcept;

// When a record was due and when its first produce() attempt began.
// Latency mode keeps one per record in a table made before the clock starts
// (16 bytes a record), and the record's opaque points at it.  Throughput
// mode needs no table: both times are the first attempt, carried in the
// opaque itself.
struct alignas(16) RecordTimes {
  std::int64_t intended = 0;
  std::int64_t started = 0;
};

// opaque bit 0: measured (not warm-up); bit 1: points at a RecordTimes.
inline void* encode_opaque(std::int64_t started, bool measured) noexcept {
  return reinterpret_cast<void*>((static_cast<std::uintptr_t>(started) << 2) | (measured ? 1U : 0U));
}
inline void* encode_opaque(const RecordTimes* times, bool measured) noexcept {
  return reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(times) | 2U | (measured ? 1U : 0U));
}
inline RecordTimes times_of(const void* opaque) noexcept {
  const auto bits = reinterpret_cast<std::uintptr_t>(opaque);
  if ((bits & 2U) != 0) return *reinterpret_cast<const RecordTimes*>(bits & ~std::uintptr_t{3});
  const auto t = static_cast<std::int64_t>(bits >> 2);
  return {t, t};
}
inline bool measured_of(const void* opaque) noexcept {
  return (reinterpret_cast<std::uintptr_t>(opaque) & 1U) != 0;
}

inline constexpr std::uint64_t kHighestTrackableNs = 3'600'000'000'000ULL;  // 1 h

// One thread's measurements: only that thread writes them (for librdkafka,
// the thread whose rd_kafka_poll served the report).
struct ThreadStats {
  ringkafka::metrics::Histogram late{kHighestTrackableNs};
  ringkafka::metrics::Histogram call{kHighestTrackableNs};
  ringkafka::metrics::Histogram wire{kHighestTrackableNs};
  ringkafka::metrics::Histogram wire_from_call{kHighestTrackableNs};
  ringkafka::metrics::Histogram ack{kHighestTrackableNs};
  std::vector<RecordTimes> times;  // latency mode: this thread's records, by number
  std::uint64_t accepted = 0;     // every accepted record, warm-up included
  std::uint64_t reported = 0;     // reports seen, successful or not
  std::uint64_t delivered = 0;    // measured records reported delivered
  std::uint64_t failed = 0;       // refused by produce() or failed in a report
  std::uint64_t queue_full = 0;   // kFull answers retried
  std::int64_t first_send = INT64_MAX;  // first measured record's first attempt
  std::int64_t last_accept = 0;         // last measured record's acceptance
  std::int64_t last_report = 0;         // last measured report seen
  std::int64_t first_error_ns = INT64_MAX;
  char first_error[256] = "";

  // A record refused by produce(), or failed in its report.
  void on_failure(const char* what) noexcept;

  // A report; `error` is nullptr when the record was delivered.
  void on_report(const void* opaque, std::int64_t sent_ns, const char* error) noexcept {
    ++reported;
    if (error != nullptr) {
      on_failure(error);
      return;
    }
    if (!measured_of(opaque)) return;
    const std::int64_t now = now_ns();
    const RecordTimes t = times_of(opaque);
    ++delivered;
    last_report = std::max(last_report, now);
    ack.record(elapsed(t.intended, now));
    if (sent_ns >= 0) {
      wire.record(elapsed(t.intended, sent_ns));
      wire_from_call.record(elapsed(t.started, sent_ns));
    }
  }

  static std::uint64_t elapsed(std::int64_t from, std::int64_t to) noexcept {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(to - from, 0));
  }
};

// What one client's run came to, all threads merged.
struct RunResult {
  std::string client;
  ringkafka::metrics::Histogram late{kHighestTrackableNs};  // empty in throughput mode
  ringkafka::metrics::Histogram call{kHighestTrackableNs};
  ringkafka::metrics::Histogram wire{kHighestTrackableNs};
  ringkafka::metrics::Histogram wire_from_call{kHighestTrackableNs};
  ringkafka::metrics::Histogram ack{kHighestTrackableNs};
  bool has_wire = false;
  std::uint64_t accepted = 0;
  std::uint64_t delivered = 0;     // measured records delivered
  std::uint64_t failed = 0;
  std::uint64_t undelivered = 0;   // accepted, no report by the end
  std::uint64_t queue_full = 0;
  double produce_seconds = 0;      // first measured attempt to last measured acceptance
  double total_seconds = 0;        // first measured attempt to last measured report
  double wall_seconds = 0;         // the whole run, warm-up and draining included
  double cpu_user_seconds = 0;     // the process's (every thread), over the run
  double cpu_system_seconds = 0;
  std::string first_error;
  std::vector<std::pair<std::string, std::string>> config;  // as the client was set up
};

struct CpuTime {
  double user = 0;
  double system = 0;
};
CpuTime process_cpu_time() noexcept;

// The threads' stats and the run's time; the client adds the stats of
// reports served after the threads ended (at close) before merging.
struct Measured {
  std::vector<std::unique_ptr<ThreadStats>> threads;
  std::int64_t wall_ns = 0;
  CpuTime cpu_before;
  CpuTime cpu_after;
};

// Folds everything into `out` (which has client and config set).
void merge(const Measured& m, RunResult& out);

namespace detail {

// Latency mode: polls until `intended`, sleeping while it is more than
// spin_ns away.
template <class Client>
void pace(Client& client, typename Client::Thread& t, std::int64_t intended,
          std::int64_t spin_ns) noexcept {
  for (;;) {
    client.poll(t);
    const std::int64_t left = intended - now_ns();
    if (left <= 0) return;
    if (left > spin_ns) sleep_until_ns(intended - spin_ns);
  }
}

// This thread's share of `total` when split evenly over `threads`.
inline std::uint64_t share(std::uint64_t total, unsigned threads, unsigned index) noexcept {
  return total / threads + (index < total % threads ? 1 : 0);
}

void set_fine_timer_slack() noexcept;

template <class Client>
void run_thread(Client& client, const Workload& w, unsigned index, std::int64_t start,
                ThreadStats& s) {
  set_fine_timer_slack();
  typename Client::Thread t = client.begin_thread(s);
  const bool latency = w.mode == Mode::kLatency;
  const std::uint64_t warmup = share(w.warmup, w.threads, index);
  const std::uint64_t n = warmup + share(w.count, w.threads, index);
  const double interval_ns = latency ? 1e9 * static_cast<double>(w.threads) / w.rate : 0.0;
  std::vector<char> key(w.key_size, 'k');
  std::vector<char> value(w.value_size, 'v');
  const Payload payload{w.key_size == 0 ? nullptr : key.data(), key.size(), value.data(),
                        value.size()};
  if (latency) s.times.resize(n);  // before the clock: the opaque points into it
  sleep_until_ns(start);

  for (std::uint64_t i = 0; i < n; ++i) {
    const bool measured = i >= warmup;
    std::int64_t intended = 0;
    if (latency) {
      intended = start + static_cast<std::int64_t>(static_cast<double>(i) * interval_ns);
      pace(client, t, intended, w.spin_ns);
    }
    // A distinct key per record (thread, sequence), so keys spread over partitions.
    if (w.key_size != 0) {
      const std::uint64_t stamp = (static_cast<std::uint64_t>(index) << 40) ^ i;
      std::memcpy(key.data(), &stamp, std::min(sizeof stamp, key.size()));
    }
    const std::int64_t t0 = now_ns();
    void* opaque = nullptr;
    if (latency) {
      if (measured) s.late.record(ThreadStats::elapsed(intended, t0));
      s.times[i] = {intended, t0};
      opaque = encode_opaque(&s.times[i], measured);
    } else {
      opaque = encode_opaque(t0, measured);
    }
    Status st;
    while ((st = client.produce(t, payload, opaque)) == Status::kFull) {
      ++s.queue_full;
      client.wait_for_room(t);
    }
    const std::int64_t t1 = now_ns();
    if (st == Status::kOk) {
      ++s.accepted;
      if (measured) {
        s.call.record(static_cast<std::uint64_t>(t1 - t0));
        s.first_send = std::min(s.first_send, t0);
        s.last_accept = t1;
      }
    }
    if (latency || (i & 63) == 63) client.poll(t);
  }

  const std::int64_t deadline = now_ns() + w.drain_timeout_ns;
  while (client.pending(t) && now_ns() < deadline) {
    if (client.poll(t) == 0) sleep_until_ns(now_ns() + 10'000);
  }
}

}  // namespace detail

// Runs `w` through `client` on w.threads new threads.
template <class Client>
Measured run_workload(Client& client, const Workload& w) {
  Measured m;
  for (unsigned i = 0; i < w.threads; ++i) m.threads.push_back(std::make_unique<ThreadStats>());
  // Every thread's schedule starts together, once all are up.
  const std::int64_t start = now_ns() + 20'000'000 + 2'000'000 * static_cast<std::int64_t>(w.threads);
  m.cpu_before = process_cpu_time();
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < w.threads; ++i) {
    threads.emplace_back([&client, &w, &m, i, start] {
      detail::run_thread(client, w, i, start, *m.threads[i]);
    });
  }
  for (auto& th : threads) th.join();
  m.cpu_after = process_cpu_time();
  m.wall_ns = now_ns() - start;
  return m;
}

}  // namespace perf
