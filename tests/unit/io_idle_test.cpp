// The sender's idle policy (io/idle.h) without a thread or a clock: the
// times are whatever the test says.
#include <gtest/gtest.h>

#include "io/idle.h"

namespace {

using ringkafka::config::IdleStrategy;
using ringkafka::io::IdlePolicy;
using Action = IdlePolicy::Action;

constexpr IdlePolicy::Bounds kBounds{.spin_ns = 100, .yield_ns = 200, .park_min_ns = 10,
                                     .park_max_ns = 80};

TEST(IoIdle, SpinAndYieldNeverPark) {
  IdlePolicy spin(IdleStrategy::kSpin, kBounds);
  IdlePolicy yield(IdleStrategy::kYield, kBounds);
  spin.on_work(0);
  yield.on_work(0);
  for (std::int64_t t : {1, 1000, 1'000'000'000}) {
    EXPECT_EQ(spin.on_idle(t).action, Action::kSpin);
    EXPECT_EQ(yield.on_idle(t).action, Action::kYield);
  }
}

TEST(IoIdle, BackoffSpinsThenYieldsThenParksLongerEachTime) {
  IdlePolicy p(IdleStrategy::kBackoff, kBounds);
  p.on_work(1000);
  EXPECT_EQ(p.on_idle(1000).action, Action::kSpin);
  EXPECT_EQ(p.on_idle(1099).action, Action::kSpin);
  EXPECT_EQ(p.on_idle(1100).action, Action::kYield);
  EXPECT_EQ(p.on_idle(1299).action, Action::kYield);
  std::int64_t parks[6];
  for (auto& park : parks) {
    const auto step = p.on_idle(1300);
    ASSERT_EQ(step.action, Action::kPark);
    park = step.park_ns;
  }
  // Doubling from the minimum, held at the maximum.
  EXPECT_EQ(parks[0], 10);
  EXPECT_EQ(parks[1], 20);
  EXPECT_EQ(parks[2], 40);
  EXPECT_EQ(parks[3], 80);
  EXPECT_EQ(parks[4], 80);
  EXPECT_EQ(parks[5], 80);
}

TEST(IoIdle, WorkStartsTheBackoffAgain) {
  IdlePolicy p(IdleStrategy::kBackoff, kBounds);
  p.on_work(0);
  for (int i = 0; i < 5; ++i) (void)p.on_idle(500);
  p.on_work(600);
  EXPECT_EQ(p.on_idle(650).action, Action::kSpin);
  const auto step = p.on_idle(900);
  EXPECT_EQ(step.action, Action::kPark);
  EXPECT_EQ(step.park_ns, 10);
}

TEST(IoIdle, NoSpinNoYieldParksAtOnce) {
  IdlePolicy p(IdleStrategy::kBackoff, {.spin_ns = 0, .yield_ns = 0, .park_min_ns = 5,
                                        .park_max_ns = 5});
  p.on_work(0);
  const auto step = p.on_idle(0);
  EXPECT_EQ(step.action, Action::kPark);
  EXPECT_EQ(step.park_ns, 5);
}

TEST(IoIdle, BoundsComeFromTheKeysInMicroseconds) {
  ringkafka::config::Settings s;
  s.idle_spin_us = 0;
  s.idle_yield_us = 0;
  s.idle_park_min_us = 3;
  s.idle_park_max_us = 7;
  IdlePolicy p = IdlePolicy::from(s);
  p.on_work(0);
  EXPECT_EQ(p.on_idle(0).park_ns, 3000);
  EXPECT_EQ(p.on_idle(0).park_ns, 6000);
  EXPECT_EQ(p.on_idle(0).park_ns, 7000);
}

}  // namespace
