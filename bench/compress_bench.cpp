// Compressing one RecordBatch's records section: 16 KiB (the Java client's
// default batch.size) of records with 16-byte keys and 100-byte JSON-like
// values, at each codec's default level and a faster one.  Bytes/s count the
// uncompressed bytes; "ratio" is uncompressed / compressed.
// Run: taskset -c 1 build/test/bench/bench_compress
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "compress/batch.h"
#include "compress/codec.h"
#include "wire/record_batch.h"

namespace c = ringkafka::compress;
namespace w = ringkafka::wire;
using w::Compression;

namespace {

// Events as an application might log them: field names repeat, numbers and
// some words vary, so the text compresses but not trivially.
std::string value(std::mt19937& rng) {
  static const char* const kEvents[] = {"page_view", "click", "add_to_cart", "checkout", "search"};
  static const char* const kRegions[] = {"eu-west-1", "us-east-2", "ap-south-1"};
  char buf[160];
  std::snprintf(buf, sizeof buf,
                R"({"user":%u,"event":"%s","page":"/p/%u","region":"%s","ms":%u,"ab":%u,"ok":true})",
                static_cast<unsigned>(rng() % 100000000), kEvents[rng() % 5],
                static_cast<unsigned>(rng() % 10000), kRegions[rng() % 3],
                static_cast<unsigned>(rng() % 2000), static_cast<unsigned>(rng() % 2));
  std::string s(buf);
  s.resize(100, ' ');
  return s;
}

struct Batch {
  std::vector<std::byte> buffer = std::vector<std::byte>(16384);
  w::RecordBatchWriter writer{buffer};

  Batch() {
    std::mt19937 rng(42);
    for (std::uint32_t i = 0;; ++i) {
      char key[17];
      std::snprintf(key, sizeof key, "user-%011u", static_cast<unsigned>(rng() % 100000000));
      const std::string v = value(rng);
      if (!writer.append(1700000000000 + i, w::NullableBytes::of(std::string_view(key, 16)),
                         w::NullableBytes::of(v))) {
        break;
      }
    }
  }
};

const Batch& batch() {
  static const Batch b;
  return b;
}

void BM_Compress(benchmark::State& state, Compression codec, int level) {
  const auto records = batch().writer.records();
  auto compressor = c::Compressor::create(codec, level);
  std::vector<std::byte> out(compressor->bound(records.size()));
  std::size_t size = 0;
  for (auto _ : state) {
    const c::Result r = compressor->compress(records, out);
    size = r.size;
    benchmark::DoNotOptimize(size);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
  state.counters["ratio"] = static_cast<double>(records.size()) / static_cast<double>(size);
}

void BM_Decompress(benchmark::State& state, Compression codec, int level) {
  const auto records = batch().writer.records();
  auto compressor = c::Compressor::create(codec, level);
  auto decompressor = c::Decompressor::create();
  std::vector<std::byte> packed(compressor->bound(records.size()));
  packed.resize(compressor->compress(records, packed).size);
  std::vector<std::byte> out(records.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(decompressor->decompress(codec, packed, out).size);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
}

// What a producer does per batch: compress, header, CRC32C of the result.
void BM_SealCompressed(benchmark::State& state, Compression codec, int level) {
  auto compressor = c::Compressor::create(codec, level);
  std::vector<std::byte> out(c::compressed_batch_bound(batch().writer, *compressor));
  for (auto _ : state) {
    benchmark::DoNotOptimize(c::seal_compressed(batch().writer, *compressor, out).size);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(batch().writer.records().size()));
}

#define RINGKAFKA_CODEC_BENCHMARKS(fn)                         \
  BENCHMARK_CAPTURE(fn, none, Compression::kNone, 0);          \
  BENCHMARK_CAPTURE(fn, gzip_default, Compression::kGzip, -1); \
  BENCHMARK_CAPTURE(fn, gzip_1, Compression::kGzip, 1);        \
  BENCHMARK_CAPTURE(fn, snappy, Compression::kSnappy, 0);      \
  BENCHMARK_CAPTURE(fn, lz4_default, Compression::kLz4, 9);    \
  BENCHMARK_CAPTURE(fn, lz4_hc3, Compression::kLz4, 3);        \
  BENCHMARK_CAPTURE(fn, zstd_default, Compression::kZstd, 3);  \
  BENCHMARK_CAPTURE(fn, zstd_1, Compression::kZstd, 1)

RINGKAFKA_CODEC_BENCHMARKS(BM_Compress);
RINGKAFKA_CODEC_BENCHMARKS(BM_Decompress);
BENCHMARK_CAPTURE(BM_SealCompressed, lz4_default, Compression::kLz4, 9);
BENCHMARK_CAPTURE(BM_SealCompressed, zstd_default, Compression::kZstd, 3);

}  // namespace

BENCHMARK_MAIN();
