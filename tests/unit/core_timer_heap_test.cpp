// The timer heap (core/timer_heap.h): timers fire earliest first, arming
// earlier moves a timer and arming later does not, disarming from anywhere
// keeps the order, a full heap refuses instead of allocating, and a timer
// armed again inside its own handler waits for the next expire().
#include "core/timer_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace core = ringkafka::core;

namespace {

TEST(CoreTimerHeap, TimersFireEarliestFirstAndOnlyWhenDue) {
  std::vector<core::Timer> timers(500);
  core::TimerHeap heap;
  ASSERT_TRUE(heap.add_timers(timers.size()));
  std::mt19937_64 rng(7);
  for (std::size_t i = 0; i < timers.size(); ++i) {
    timers[i].id0 = static_cast<std::uint32_t>(i);
    ASSERT_TRUE(heap.arm_no_later(timers[i], static_cast<std::int64_t>(rng() % 10'000)));
  }
  // Disarm a tenth from anywhere in the heap.
  for (std::size_t i = 0; i < timers.size(); i += 10) heap.disarm(timers[i]);
  EXPECT_EQ(heap.size(), timers.size() - timers.size() / 10);
  std::vector<std::int64_t> fired;
  EXPECT_FALSE(heap.expire(-1, [&](core::Timer&) { ADD_FAILURE() << "fired early"; }));
  heap.expire(5'000, [&](core::Timer& t) {
    EXPECT_LE(t.due_ns, 5'000);
    EXPECT_NE(t.id0 % 10, 0U) << "a disarmed timer fired";
    EXPECT_FALSE(t.armed());
    fired.push_back(t.due_ns);
  });
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
  EXPECT_GT(heap.next_due(), 5'000);
  heap.expire(INT64_MAX - 1, [&](core::Timer& t) { fired.push_back(t.due_ns); });
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end()));
  EXPECT_EQ(fired.size(), timers.size() - timers.size() / 10);
  EXPECT_EQ(heap.next_due(), INT64_MAX);
}

TEST(CoreTimerHeap, ArmingEarlierMovesATimerLaterDoesNot) {
  core::Timer a;
  core::Timer b;
  core::TimerHeap heap;
  ASSERT_TRUE(heap.add_timers(2));
  heap.arm_no_later(a, 100);
  heap.arm_no_later(b, 50);
  EXPECT_EQ(heap.next_due(), 50);
  heap.arm_no_later(b, 500);
  EXPECT_EQ(b.due_ns, 50) << "arming later moved the timer";
  heap.arm_no_later(a, 10);
  EXPECT_EQ(heap.next_due(), 10);
  EXPECT_EQ(heap.size(), 2U);
}

TEST(CoreTimerHeap, AFullHeapRefusesInsteadOfGrowing) {
  core::Timer a;
  core::Timer b;
  core::TimerHeap heap;
  ASSERT_TRUE(heap.add_timers(1));
  EXPECT_TRUE(heap.arm_no_later(a, 1));
  EXPECT_FALSE(heap.arm_no_later(b, 2));
  EXPECT_FALSE(b.armed());
  EXPECT_TRUE(heap.arm_no_later(a, 0)) << "an armed timer can always move earlier";
}

TEST(CoreTimerHeap, ATimerArmedAgainInItsHandlerWaitsForTheNextExpire) {
  core::Timer t;
  core::TimerHeap heap;
  ASSERT_TRUE(heap.add_timers(1));
  heap.arm_no_later(t, 0);
  int calls = 0;
  heap.expire(10, [&](core::Timer& x) {
    ++calls;
    heap.arm_no_later(x, 5);  // due already
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(t.armed());
  heap.expire(10, [&](core::Timer&) { ++calls; });
  EXPECT_EQ(calls, 2);
}

}  // namespace
