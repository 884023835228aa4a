// Microbenchmarks of the wire primitives: varint encoding and CRC32C.
// Run: build/test/bench/bench_wire  (pin with taskset -c N for stable figures)
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "wire/crc32c.h"
#include "wire/record_batch.h"
#include "wire/varint.h"

namespace w = ringkafka::wire;

namespace {

// Record-shaped values: mostly small deltas and lengths, some large.
std::vector<std::int64_t> record_like_values() {
  std::mt19937_64 rng(1);
  std::vector<std::int64_t> v(4096);
  for (auto& x : v) {
    const auto r = rng();
    x = (r & 7) == 0 ? static_cast<std::int64_t>(r >> 20) : static_cast<std::int64_t>(r % 300);
  }
  return v;
}

void BM_VarlongEncode(benchmark::State& state) {
  const auto values = record_like_values();
  std::array<std::byte, 4096 * w::kMaxVarint64Bytes> out{};
  for (auto _ : state) {
    std::size_t pos = 0;
    for (auto v : values) pos += w::write_varlong(out.data() + pos, v);
    benchmark::DoNotOptimize(pos);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_VarlongEncode);

void BM_VarlongDecode(benchmark::State& state) {
  const auto values = record_like_values();
  std::vector<std::byte> buf(values.size() * w::kMaxVarint64Bytes);
  std::size_t len = 0;
  for (auto v : values) len += w::write_varlong(buf.data() + len, v);
  for (auto _ : state) {
    std::span<const std::byte> in(buf.data(), len);
    std::int64_t sum = 0;
    while (!in.empty()) {
      std::int64_t v = 0;
      const auto n = w::read_varlong(in, v);
      if (n == 0) break;
      sum += v;
      in = in.subspan(n);
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(values.size()));
}
BENCHMARK(BM_VarlongDecode);

template <std::uint32_t (*Fn)(std::span<const std::byte>, std::uint32_t) noexcept>
void BM_Crc32c(benchmark::State& state) {
  if (Fn == &w::crc32c_hardware && !w::crc32c_hardware_available()) {
    state.SkipWithError("no SSE4.2 on this CPU");
    return;
  }
  std::vector<std::byte> buf(static_cast<std::size_t>(state.range(0)));
  std::mt19937 rng(3);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (auto _ : state) benchmark::DoNotOptimize(Fn(buf, 0));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK_TEMPLATE(BM_Crc32c, &w::crc32c_hardware)->Arg(1024)->Arg(16384)->Arg(1 << 20);
BENCHMARK_TEMPLATE(BM_Crc32c, &w::crc32c_portable)->Arg(1024)->Arg(16384)->Arg(1 << 20);

// Records of the shape the performance targets use (16-byte key, 100-byte
// value, no headers) appended into a 16 KiB batch, which is then sealed
// (header + CRC32C) and started again; per record, sealing included.
void BM_RecordBatchAppend(benchmark::State& state) {
  std::vector<std::byte> buf(16384);
  std::array<std::byte, 16> key{};
  std::array<std::byte, 100> value{};
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<std::byte>(i);
  const auto k = w::NullableBytes::of(key);
  const auto v = w::NullableBytes::of(value);
  std::int64_t ts = 1700000000000;
  std::int64_t records = 0;
  for (auto _ : state) {
    w::RecordBatchWriter writer(buf);
    while (writer.append(ts++, k, v)) ++records;
    benchmark::DoNotOptimize(writer.seal().data());
  }
  state.SetItemsProcessed(records);
}
BENCHMARK(BM_RecordBatchAppend);

}  // namespace

BENCHMARK_MAIN();
