// What the sender does after a pass over rings and sockets that found
// nothing: the idle strategies of Aeron's agents, as a pure policy (no
// clock, no system call) so that it is tested without a thread.
//
//   spin     stay on the core, a pause instruction per pass: a record is
//            seen within nanoseconds, at the price of a core kept busy.
//   yield    sched_yield() per pass: as quick while the core is free,
//            gives it up when another thread wants it; still 100% CPU.
//   backoff  spin for spin_ns after the last work, then yield for
//            yield_ns, then park: sleep in io_uring for park_min_ns,
//            doubling on each idle park up to park_max_ns; any work
//            starts over from spinning.
//
// Nobody wakes a parked sender for a new record: produce() makes no system
// call, so the sender finds the record itself when its park ends.  A
// record produced into an idle backoff sender therefore waits at most
// park_max_ns (1 ms by default) before the sender looks; answers from the
// brokers end a park at once (they are io_uring completions).
#pragma once

#include <algorithm>
#include <cstdint>

#include "config/settings.h"

namespace ringkafka::io {

class IdlePolicy {
 public:
  enum class Action : std::uint8_t { kSpin, kYield, kPark };
  struct Step {
    Action action;
    std::int64_t park_ns;  // kPark only
  };
  struct Bounds {
    std::int64_t spin_ns = 50'000;
    std::int64_t yield_ns = 50'000;
    std::int64_t park_min_ns = 10'000;
    std::int64_t park_max_ns = 1'000'000;
  };

  IdlePolicy(config::IdleStrategy strategy, Bounds bounds) noexcept
      : strategy_(strategy), bounds_(bounds), park_ns_(bounds.park_min_ns) {}

  static IdlePolicy from(const config::Settings& s) noexcept {
    return {s.idle_strategy,
            {s.idle_spin_us * 1000, s.idle_yield_us * 1000, s.idle_park_min_us * 1000,
             s.idle_park_max_us * 1000}};
  }

  // A pass did work at `now_ns`: back to the start of the back-off.
  void on_work(std::int64_t now_ns) noexcept {
    idle_since_ns_ = now_ns;
    park_ns_ = bounds_.park_min_ns;
  }

  // A pass at `now_ns` found nothing: what to do before the next one.
  [[nodiscard]] Step on_idle(std::int64_t now_ns) noexcept {
    switch (strategy_) {
      case config::IdleStrategy::kSpin:
        return {Action::kSpin, 0};
      case config::IdleStrategy::kYield:
        return {Action::kYield, 0};
      case config::IdleStrategy::kBackoff:
        break;
    }
    const std::int64_t idle = now_ns - idle_since_ns_;
    if (idle < bounds_.spin_ns) return {Action::kSpin, 0};
    if (idle - bounds_.spin_ns < bounds_.yield_ns) return {Action::kYield, 0};
    const std::int64_t park = park_ns_;
    park_ns_ = std::min(park_ns_ * 2, bounds_.park_max_ns);
    return {Action::kPark, park};
  }

  [[nodiscard]] config::IdleStrategy strategy() const noexcept { return strategy_; }

 private:
  config::IdleStrategy strategy_;
  Bounds bounds_;
  std::int64_t idle_since_ns_ = 0;
  std::int64_t park_ns_;
};

}  // namespace ringkafka::io
