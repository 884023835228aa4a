// The cost of recording one latency: what ringkafka-perf adds to each
// measured call.
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "metrics/histogram.h"

namespace {

void BM_HistogramRecord(benchmark::State& state) {
  ringkafka::metrics::Histogram h;
  std::mt19937_64 rng(2);
  std::vector<std::uint64_t> values(4096);
  for (auto& v : values) v = 20 + rng() % 5000;  // nanoseconds, mostly short
  std::size_t i = 0;
  for (auto _ : state) h.record(values[i++ & 4095]);
  benchmark::DoNotOptimize(h.count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

}  // namespace

BENCHMARK_MAIN();
