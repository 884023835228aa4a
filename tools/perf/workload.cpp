#include "workload.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <cerrno>
#include <cstdio>

namespace perf {

void sleep_until_ns(std::int64_t deadline) noexcept {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(deadline / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(deadline % 1'000'000'000);
  // steady_clock is CLOCK_MONOTONIC on Linux.
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

namespace detail {

// Linux rounds sleeps up by the thread's timer slack (50 µs by default):
// that would be lateness charged to every paced record.
void set_fine_timer_slack() noexcept { (void)::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

}  // namespace detail

CpuTime process_cpu_time() noexcept {
  rusage ru{};
  (void)::getrusage(RUSAGE_SELF, &ru);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return {seconds(ru.ru_utime), seconds(ru.ru_stime)};
}

void ThreadStats::on_failure(const char* what) noexcept {
  ++failed;
  const std::int64_t now = now_ns();
  if (now < first_error_ns) {
    first_error_ns = now;
    std::snprintf(first_error, sizeof first_error, "%s", what);
  }
}

void merge(const Measured& m, RunResult& out) {
  std::int64_t first_send = INT64_MAX;
  std::int64_t last_accept = 0;
  std::int64_t last_report = 0;
  std::int64_t first_error_ns = INT64_MAX;
  for (const auto& t : m.threads) {
    out.late.add(t->late);
    out.call.add(t->call);
    out.wire.add(t->wire);
    out.wire_from_call.add(t->wire_from_call);
    out.ack.add(t->ack);
    out.accepted += t->accepted;
    out.delivered += t->delivered;
    out.failed += t->failed;
    out.queue_full += t->queue_full;
    first_send = std::min(first_send, t->first_send);
    last_accept = std::max(last_accept, t->last_accept);
    last_report = std::max(last_report, t->last_report);
    if (t->first_error_ns < first_error_ns) {
      first_error_ns = t->first_error_ns;
      out.first_error = t->first_error;
    }
  }
  if (first_send != INT64_MAX) {
    out.produce_seconds = static_cast<double>(std::max<std::int64_t>(last_accept - first_send, 0)) / 1e9;
    out.total_seconds = static_cast<double>(std::max<std::int64_t>(last_report - first_send, 0)) / 1e9;
  }
  out.wall_seconds = static_cast<double>(m.wall_ns) / 1e9;
  out.cpu_user_seconds = m.cpu_after.user - m.cpu_before.user;
  out.cpu_system_seconds = m.cpu_after.system - m.cpu_before.system;
}

}  // namespace perf
