// The partition choice per record: murmur2 + mask + modulo per key, CRC32
// (librdkafka's consistent), and the unkeyed choices through the front door.
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "partition/murmur2.h"
#include "partition/partitioner.h"

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

namespace rp = ringkafka::partition;

std::vector<std::vector<std::byte>> random_keys(std::size_t len) {
  std::mt19937 rng(9);
  std::vector<std::vector<std::byte>> keys(1024, std::vector<std::byte>(len));
  for (auto& k : keys)
    for (auto& b : k) b = static_cast<std::byte>(rng());
  return keys;
}

void BM_ConsistentPartition(benchmark::State& state) {
  const auto keys = random_keys(static_cast<std::size_t>(state.range(0)));
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(rp::consistent_partition(keys[i++ & 1023], 12));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistentPartition)->Arg(8)->Arg(16)->Arg(64);

// Keyed records through Partitioner::choose: the front door's cost over the
// bare hash.
void BM_ChooseKeyed(benchmark::State& state) {
  const auto kind = static_cast<rp::Kind>(state.range(0));
  auto p = *rp::Partitioner::create(kind, 9);
  rp::TopicState topic;
  const auto keys = random_keys(16);
  std::size_t i = 0;
  for (auto _ : state) {
    auto c = p.choose(topic, keys[i++ & 1023], false, 100, 12);
    benchmark::DoNotOptimize(c);
  }
  state.SetLabel(std::string(rp::name(kind)).append(", 16-byte keys"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChooseKeyed)
    ->Arg(static_cast<int>(rp::Kind::kMurmur2))
    ->Arg(static_cast<int>(rp::Kind::kConsistent));

// Null-key records, 100 bytes each, 12 partitions, batch.size 16384: sticky
// switches every 164 records.
void BM_ChooseUnkeyed(benchmark::State& state) {
  const auto kind = static_cast<rp::Kind>(state.range(0));
  auto p = *rp::Partitioner::create(kind, 9, 16384);
  rp::TopicState topic;
  for (auto _ : state) {
    auto c = p.choose(topic, {}, true, 100, 12);
    benchmark::DoNotOptimize(c);
  }
  state.SetLabel(std::string(rp::name(kind)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChooseUnkeyed)
    ->Arg(static_cast<int>(rp::Kind::kSticky))
    ->Arg(static_cast<int>(rp::Kind::kRoundRobin))
    ->Arg(static_cast<int>(rp::Kind::kRandom));

}  // namespace

BENCHMARK_MAIN();
