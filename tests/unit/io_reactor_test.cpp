// The sender's io_uring reactor without a network: submission (never
// spinning, linked pairs kept together), every token coming back once with
// its result, waits bounded by their timeout, and the idle step.
#include "io/reactor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>

namespace rs = ringkafka::io;

namespace {

std::int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(IoReactor, EveryTokenComesBackOnceWithItsResult) {
  rs::Reactor r;
  ASSERT_EQ(r.open({8, false, -1}), 0);
  // More operations than the queue holds: sqe() submits when it is full
  // and hands out a free entry, instead of failing or spinning.
  constexpr std::uint64_t kOps = 50;
  std::map<std::uint64_t, int> seen;
  for (std::uint64_t token = 1; token <= kOps; ++token) {
    io_uring_sqe* e = r.sqe();
    ASSERT_NE(e, nullptr) << token;
    io_uring_prep_nop(e);
    io_uring_sqe_set_data64(e, token);
    // Reap as a loop pass would, so that the completion queue never fills.
    (void)r.reap([&](std::uint64_t t, int res) { seen[t] += res == 0 ? 1 : 100; });
  }
  const std::int64_t deadline = mono_ns() + 2'000'000'000;
  while (seen.size() < kOps && mono_ns() < deadline) {
    r.wait(1'000'000);
    (void)r.reap([&](std::uint64_t t, int res) { seen[t] += res == 0 ? 1 : 100; });
  }
  ASSERT_EQ(seen.size(), kOps);
  for (const auto& [token, count] : seen) EXPECT_EQ(count, 1) << "token " << token;
}

TEST(IoReactor, ALinkedPairIsNeverSplitAcrossSubmissions) {
  rs::Reactor r;
  ASSERT_EQ(r.open({8, false, -1}), 0);
  for (int i = 0; i < 7; ++i) io_uring_prep_nop(r.sqe());  // one entry left
  // Two together: the queue is handed over first, so both fit.
  io_uring_sqe* first = r.sqe(2);
  ASSERT_NE(first, nullptr);
  io_uring_prep_nop(first);
  io_uring_sqe* second = r.sqe();
  ASSERT_NE(second, nullptr);
  io_uring_prep_nop(second);
  int completions = 0;
  const std::int64_t deadline = mono_ns() + 2'000'000'000;
  while (completions < 9 && mono_ns() < deadline) {
    r.wait(1'000'000);
    (void)r.reap([&](std::uint64_t, int) { ++completions; });
  }
  EXPECT_EQ(completions, 9);
}

TEST(IoReactor, AWaitWithNothingToCompleteEndsAtItsTimeout) {
  rs::Reactor r;
  ASSERT_EQ(r.open({8, false, -1}), 0);
  const std::int64_t t0 = mono_ns();
  r.wait(20'000'000);
  const std::int64_t waited = mono_ns() - t0;
  EXPECT_GE(waited, 19'000'000);
  EXPECT_LT(waited, 2'000'000'000) << "a wait must end at its timeout";
  EXPECT_FALSE(r.reap([](std::uint64_t, int) {}));
  // The idle step parks no longer than the deadline it is given.
  const std::int64_t t1 = mono_ns();
  r.idle({rs::IdlePolicy::Action::kPark, 1'000'000'000}, 5'000'000);
  EXPECT_LT(mono_ns() - t1, 900'000'000);
  r.idle({rs::IdlePolicy::Action::kSpin, 0}, 0);
  r.idle({rs::IdlePolicy::Action::kYield, 0}, 0);
}

TEST(IoReactor, ACompletionEndsAParkEarly) {
  rs::Reactor r;
  ASSERT_EQ(r.open({8, false, -1}), 0);
  io_uring_prep_nop(r.sqe());
  const std::int64_t t0 = mono_ns();
  r.idle({rs::IdlePolicy::Action::kPark, 2'000'000'000}, 2'000'000'000);
  EXPECT_LT(mono_ns() - t0, 1'000'000'000);
  EXPECT_TRUE(r.reap([](std::uint64_t, int) {}));
}

TEST(IoReactor, SqpollRingsWorkToo) {
  rs::Reactor r;
  ASSERT_EQ(r.open({8, true, -1}), 0);
  int completions = 0;
  for (int i = 0; i < 20; ++i) {
    io_uring_sqe* e = r.sqe();
    ASSERT_NE(e, nullptr);
    io_uring_prep_nop(e);
    (void)r.reap([&](std::uint64_t, int) { ++completions; });
  }
  const std::int64_t deadline = mono_ns() + 2'000'000'000;
  while (completions < 20 && mono_ns() < deadline) {
    r.wait(1'000'000);
    (void)r.reap([&](std::uint64_t, int) { ++completions; });
  }
  EXPECT_EQ(completions, 20);
}

}  // namespace
