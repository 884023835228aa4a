// The SPSC byte ring: one push and one pop of a record-sized message on one
// thread (the cost each side pays), and a producer thread streaming to a
// consumer thread (the cross-core cost).  Pin with taskset -c 0,1.
#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/spsc_byte_ring.h"

namespace c = ringkafka::core;

namespace {

struct Ring {
  explicit Ring(std::size_t n) : mem(n + 128) {
    auto p = reinterpret_cast<std::uintptr_t>(mem.data());
    span = {mem.data() + (128 - p % 128) % 128, n};
  }
  std::vector<std::byte> mem;
  std::span<std::byte> span;
};

void BM_RingPushPopSameThread(benchmark::State& state) {
  Ring mem(1 << 20);
  c::SpscByteRing ring(mem.span);
  std::vector<std::byte> msg(static_cast<std::size_t>(state.range(0)), std::byte{7});
  for (auto _ : state) {
    benchmark::DoNotOptimize(ring.try_push(msg));
    benchmark::DoNotOptimize(ring.peek().data());
    ring.pop();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RingPushPopSameThread)->Arg(16)->Arg(116)->Arg(1024);

void BM_RingCrossThread(benchmark::State& state) {
  Ring mem(1 << 20);
  c::SpscByteRing ring(mem.span);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> consumed{0};
  std::thread consumer([&] {
    std::uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      bool available = false;
      (void)ring.peek(&available);
      if (available) {
        ring.pop();
        ++n;
      }
    }
    consumed = n;
  });
  std::vector<std::byte> msg(116, std::byte{7});
  std::uint64_t pushed = 0;
  for (auto _ : state) {
    while (!ring.try_push(msg)) {
    }
    ++pushed;
  }
  stop = true;
  consumer.join();
  state.SetItemsProcessed(static_cast<std::int64_t>(pushed));
  state.counters["consumed"] = static_cast<double>(consumed.load());
}
BENCHMARK(BM_RingCrossThread)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
