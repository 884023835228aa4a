// The keyed partition choice: murmur2 + mask + modulo, per key.
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "partition/murmur2.h"

namespace {

void BM_Murmur2Partition(benchmark::State& state) {
  const auto len = static_cast<std::size_t>(state.range(0));
  std::mt19937 rng(9);
  std::vector<std::vector<std::byte>> keys(1024, std::vector<std::byte>(len));
  for (auto& k : keys)
    for (auto& b : k) b = static_cast<std::byte>(rng());
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ringkafka::partition::murmur2_partition(keys[i++ & 1023], 12));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Murmur2Partition)->Arg(8)->Arg(16)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
