#include "core/spsc_byte_ring.h"

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace c = ringkafka::core;

namespace {

struct AlignedBuffer {
  explicit AlignedBuffer(std::size_t n) : storage(n + 64) {
    auto p = reinterpret_cast<std::uintptr_t>(storage.data());
    offset = (64 - p % 64) % 64;
    span = std::span<std::byte>(storage.data() + offset, n);
  }
  std::vector<std::byte> storage;
  std::size_t offset = 0;
  std::span<std::byte> span;
};

// Message `seq` of `size` bytes: each byte depends on both, so a message
// read from the wrong place or torn by a race does not pass for another.
void fill(std::byte* p, std::size_t size, std::uint64_t seq) {
  for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::byte>((seq * 131 + i * 7) & 0xff);
}
bool check(std::span<const std::byte> m, std::uint64_t seq) {
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] != static_cast<std::byte>((seq * 131 + i * 7) & 0xff)) return false;
  }
  return true;
}

TEST(SpscByteRing, EmptyFifoAndFull) {
  AlignedBuffer mem(256);
  c::SpscByteRing ring(mem.span);
  bool available = true;
  EXPECT_TRUE(ring.peek(&available).empty());
  EXPECT_FALSE(available);
  EXPECT_TRUE(ring.empty());

  std::vector<std::byte> msg(20);
  int pushed = 0;
  for (; pushed < 100; ++pushed) {
    fill(msg.data(), msg.size(), static_cast<std::uint64_t>(pushed));
    if (!ring.try_push(msg)) break;
  }
  EXPECT_EQ(pushed, 256 / 24) << "20 bytes + 4 header, padded to 24";
  for (int i = 0; i < pushed; ++i) {
    const auto m = ring.peek(&available);
    ASSERT_TRUE(available);
    ASSERT_EQ(m.size(), 20U);
    EXPECT_TRUE(check(m, static_cast<std::uint64_t>(i)));
    ring.pop();
  }
  EXPECT_TRUE(ring.empty());
}

TEST(SpscByteRing, WrapsWithoutSplittingAMessageAndAcceptsTheMaximumAtAnyOffset) {
  AlignedBuffer mem(512);
  c::SpscByteRing ring(mem.span);
  EXPECT_EQ(ring.max_message_size(), 252U);
  std::vector<std::byte> small(5), big(ring.max_message_size());
  std::uint64_t seq = 0;
  for (int round = 0; round < 200; ++round) {
    // Move the write offset by a varying amount, then the largest message
    // must still go in whenever the ring is empty.
    for (int k = 0; k < round % 7; ++k) {
      fill(small.data(), small.size(), seq);
      ASSERT_TRUE(ring.try_push(small));
      ASSERT_TRUE(check(ring.peek(), seq++));
      ring.pop();
    }
    fill(big.data(), big.size(), seq);
    ASSERT_TRUE(ring.try_push(big)) << "round " << round;
    const auto m = ring.peek();
    ASSERT_EQ(m.size(), big.size());
    ASSERT_TRUE(check(m, seq++));
    ring.pop();
    EXPECT_TRUE(ring.empty());
  }
  std::vector<std::byte> too_big(ring.max_message_size() + 1);
  EXPECT_FALSE(ring.try_push(too_big));
}

TEST(SpscByteRing, CommitMayShrinkTheReservation) {
  AlignedBuffer mem(128);
  c::SpscByteRing ring(mem.span);
  std::byte* p = ring.try_reserve(40);
  ASSERT_NE(p, nullptr);
  fill(p, 10, 1);
  ring.commit(10);
  const auto m = ring.peek();
  ASSERT_EQ(m.size(), 10U);
  EXPECT_TRUE(check(m, 1));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data()) % 4, 0U);
  ring.pop();
  EXPECT_TRUE(ring.empty());
}

TEST(SpscByteRing, EmptyMessagesAreMessages) {
  AlignedBuffer mem(64);
  c::SpscByteRing ring(mem.span);
  ASSERT_TRUE(ring.try_push({}));
  bool available = false;
  EXPECT_TRUE(ring.peek(&available).empty());
  EXPECT_TRUE(available);
  ring.pop();
  EXPECT_TRUE(ring.empty());
}

// Two threads, random sizes, a ring small enough to be full and empty often:
// every message arrives once, in order, intact.  ThreadSanitizer and
// AddressSanitizer builds run this too.
TEST(SpscByteRing, ProducerAndConsumerThreadsAgreeOnEveryMessage) {
  constexpr std::uint64_t kMessages = 200000;
  AlignedBuffer mem(4096);
  c::SpscByteRing ring(mem.span);
  std::thread producer([&] {
    std::mt19937 rng(5);
    std::vector<std::byte> msg(ring.max_message_size());
    for (std::uint64_t seq = 0; seq < kMessages; ++seq) {
      const std::size_t size = rng() % 300;
      fill(msg.data(), size, seq);
      while (!ring.try_push(std::span<const std::byte>(msg.data(), size))) std::this_thread::yield();
    }
  });
  std::mt19937 rng(5);
  std::uint64_t bad = 0;
  for (std::uint64_t seq = 0; seq < kMessages; ++seq) {
    bool available = false;
    std::span<const std::byte> m;
    while (true) {
      m = ring.peek(&available);
      if (available) break;
      std::this_thread::yield();
    }
    const std::size_t size = rng() % 300;
    if (m.size() != size || !check(m, seq)) ++bad;
    ring.pop();
  }
  producer.join();
  EXPECT_EQ(bad, 0U);
  EXPECT_TRUE(ring.empty());
}

}  // namespace
