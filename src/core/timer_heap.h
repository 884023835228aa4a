// Deadlines, earliest first: an indexed binary min-heap of timers that live
// inside their owners (a connection, a partition, a topic), so the sender
// learns what falls due next in O(1) and handles each deadline when it
// comes, instead of scanning everything every millisecond.
//
// A timer is armed "no later than" a moment: arming earlier moves it,
// arming later leaves it, so an owner can arm at every event that creates a
// deadline without working out whether an earlier one is pending.  A timer
// that fires for a deadline that has since gone (the batch was sent, the
// answer came) costs one look: its handler finds nothing due and arms the
// owner's next real deadline.  Nothing here allocates except add_timers().
// One thread (the sender's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringkafka::core {

// The sender's timers, by owner (Timer::kind), so its loop knows whose
// handler to call.
enum class TimerKind : std::uint8_t {
  kNone = 0,
  kConnection,  // id0: the connection's index in the broker table
  kResolver,    // the broker table's: answers are polled while lookups run
  kPartition,   // id0: topic, id1: partition
  kTopic,       // id0: topic (records parked for its metadata)
  kMetadata,    // the sender's: a Metadata retry or refresh
  kProducerId,  // the sender's: an InitProducerId retry
  kTransaction, // the sender's: a transactional request's retry
  kStatistics,  // the sender's: statistics.interval.ms
};

struct Timer {
  static constexpr std::uint32_t kNotArmed = UINT32_MAX;
  std::int64_t due_ns = INT64_MAX;
  std::uint32_t heap_index = kNotArmed;
  // Whose timer it is, for the handler: a kind and two numbers of the
  // owner's choosing (a connection's index; a topic and a partition).
  TimerKind kind = TimerKind::kNone;
  std::uint32_t id0 = 0;
  std::uint32_t id1 = 0;

  [[nodiscard]] bool armed() const noexcept { return heap_index != kNotArmed; }
};

class TimerHeap {
 public:
  // Every owner of a timer registers it once (at a broker's, a topic's or a
  // partition's first sight), so that the heap holds every timer armed at
  // once without growing; false without memory.
  [[nodiscard]] bool add_timers(std::size_t n) noexcept {
    try {
      heap_.reserve(registered_ + n);
      registered_ += n;
      return true;
    } catch (...) {
      return false;
    }
  }

  // Arms `t` at `due_ns` unless it is armed for no later already.  false
  // when the heap is full (a timer not registered), and `t` stays as it
  // was.
  bool arm_no_later(Timer& t, std::int64_t due_ns) noexcept {
    if (t.armed()) {
      if (due_ns < t.due_ns) {
        t.due_ns = due_ns;
        sift_up(t.heap_index);
      }
      return true;
    }
    if (heap_.size() == heap_.capacity()) return false;
    t.due_ns = due_ns;
    t.heap_index = static_cast<std::uint32_t>(heap_.size());
    heap_.push_back(&t);  // within capacity: no allocation
    sift_up(t.heap_index);
    return true;
  }

  void disarm(Timer& t) noexcept {
    if (!t.armed()) return;
    const std::uint32_t i = t.heap_index;
    t.heap_index = Timer::kNotArmed;
    Timer* last = heap_.back();
    heap_.pop_back();
    if (last == &t) return;
    heap_[i] = last;
    last->heap_index = i;
    sift_down(i);
    sift_up(last->heap_index);
  }

  // INT64_MAX when nothing is armed.
  [[nodiscard]] std::int64_t next_due() const noexcept {
    return heap_.empty() ? INT64_MAX : heap_.front()->due_ns;
  }
  [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }

  // Every timer due by `now_ns`, earliest first, disarmed and handed to
  // fire(Timer&), which may arm it (or any other) again; one due later than
  // now waits.  true if any fired.
  template <class Fire>
  bool expire(std::int64_t now_ns, Fire&& fire) noexcept {
    bool any = false;
    // Bounded: a timer armed again for "now" inside fire() waits for the
    // next call rather than spinning here.
    for (std::size_t budget = heap_.size(); budget > 0 && !heap_.empty(); --budget) {
      Timer* t = heap_.front();
      if (t->due_ns > now_ns) break;
      disarm(*t);
      fire(*t);
      any = true;
    }
    return any;
  }

 private:
  void sift_up(std::uint32_t i) noexcept {
    while (i > 0) {
      const std::uint32_t parent = (i - 1) / 2;
      if (heap_[parent]->due_ns <= heap_[i]->due_ns) break;
      swap(i, parent);
      i = parent;
    }
  }
  void sift_down(std::uint32_t i) noexcept {
    const auto n = static_cast<std::uint32_t>(heap_.size());
    while (true) {
      const std::uint32_t l = 2 * i + 1;
      const std::uint32_t r = l + 1;
      std::uint32_t least = i;
      if (l < n && heap_[l]->due_ns < heap_[least]->due_ns) least = l;
      if (r < n && heap_[r]->due_ns < heap_[least]->due_ns) least = r;
      if (least == i) return;
      swap(i, least);
      i = least;
    }
  }
  void swap(std::uint32_t a, std::uint32_t b) noexcept {
    Timer* ta = heap_[a];
    heap_[a] = heap_[b];
    heap_[b] = ta;
    heap_[a]->heap_index = a;
    heap_[b]->heap_index = b;
  }

  std::vector<Timer*> heap_;
  std::size_t registered_ = 0;
};

}  // namespace ringkafka::core
