// One record's whole trip through the client, on one thread, without the
// network: what the producing thread does (encode into its ring) and what
// the sender does with it (pop, partition, append to its partition's batch,
// and per full batch: seal with the codec, CRC, encode the Produce request).
// The pieces are the library's own (SpscByteRing, handoff::encode,
// Partitioner, Batch, Compressor, encode_produce_request); only the io_uring
// loop and the broker are left out, so this is the client's CPU cost per
// record, and the gap to bench_producer's throughput rows is the sender's
// I/O and the sink.
//
// Records: a 16-byte key cycled from 1024 keys and a 100-byte JSON-like
// value, murmur2 over 12 partitions, batch.size 16384.
#include <cstdlib>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>

#include "compress/codec.h"
#include "core/spsc_byte_ring.h"
#include "partition/partitioner.h"
#include "handoff/record_format.h"
#include "accumulator/batch.h"
#include "wire/produce.h"

namespace rk = ringkafka;

namespace {

constexpr std::int32_t kPartitions = 12;
constexpr std::size_t kBatchSize = 16384;
constexpr std::size_t kKeys = 1024;

struct Records {
  std::vector<std::array<char, 16>> keys;
  std::vector<std::array<char, 100>> values;
  Records() : keys(kKeys), values(kKeys) {
    for (std::size_t i = 0; i < kKeys; ++i) {
      std::snprintf(keys[i].data(), keys[i].size(), "user-%010zu", i * 7919);
      std::snprintf(values[i].data(), values[i].size(),
                    R"({"user":%zu,"event":"page_view","page":"/p/%zu","ms":%zu,"ok":true})",
                    i * 7919, i % 97, i * 13);
    }
  }
};

void BM_ProduceToRequest(benchmark::State& state, rk::wire::Compression codec) {
  namespace s = rk::accumulator;
  const Records records;

  std::vector<std::byte> ring_memory(1 << 20);
  rk::core::SpscByteRing ring(ring_memory);

  auto partitioner = rk::partition::Partitioner::create(rk::partition::Kind::kMurmur2, 1,
                                                        static_cast<std::int32_t>(kBatchSize));
  rk::partition::TopicState topic_state;

  s::BatchPool pool(kBatchSize, 64 * 2 * kBatchSize);
  if (!pool.preallocate(false)) {
    state.SkipWithError("no memory");
    return;
  }
  std::unique_ptr<rk::compress::Compressor> compressor;
  std::vector<std::byte> scratch;
  if (codec != rk::wire::Compression::kNone) {
    compressor = rk::compress::Compressor::create(codec);
    scratch.resize(2 * kBatchSize + 4096 + compressor->bound(2 * kBatchSize));
  }
  std::vector<std::byte> request(4 * kBatchSize);
  std::array<s::Batch*, kPartitions> open{};
  std::uint64_t requests = 0;
  std::uint64_t request_bytes = 0;

  // Seal the batch, put it in a Produce request, and recycle it as the
  // broker's answer would.
  auto send = [&](s::Batch* b) {
    b->seal(rk::wire::ProducerFields{}, compressor.get(), scratch);
    const rk::wire::ProducePartitionData part{b->partition, b->sealed};
    const rk::wire::ProduceTopicData topic{"bench", std::span(&part, 1)};
    rk::wire::ProduceRequest req;
    req.acks = 1;
    req.topics = std::span(&topic, 1);
    rk::wire::Writer w(request);
    const rk::wire::RequestHeader h{rk::wire::ApiKey::kProduce, 9,
                                    static_cast<std::int32_t>(requests), "bench"};
    if (!rk::wire::encode_produce_request(w, h, req)) std::abort();
    ++requests;
    request_bytes += w.position();
    pool.release(b);
  };

  std::size_t i = 0;
  const std::int64_t ts = 1'763'900'000'000;
  for (auto _ : state) {
    // The producing thread's side.
    const rk::Bytes key(records.keys[i % kKeys].data(), 16);
    const rk::Bytes value(records.values[i % kKeys].data(), 100);
    const auto layout = rk::handoff::layout(key, value, {}, -1, ts, nullptr);
    std::byte* p = ring.try_reserve(layout.size);
    if (p == nullptr) std::abort();  // drained below every record: never full
    rk::handoff::encode(p, layout, 0, -1, ts, nullptr, key, value, {});
    ring.commit(layout.size);

    // The sender's side.
    const auto message = ring.peek();
    if (message.data() == nullptr) std::abort();  // just committed
    const auto rec = rk::handoff::decode(message);
    const rk::wire::NullableBytes k{rec.key, false};
    const rk::wire::NullableBytes v{rec.value, false};
    const auto choice = partitioner->choose(topic_state, rec.key, false,
                                            rec.key.size() + rec.value.size(), kPartitions);
    s::Batch*& b = open[static_cast<std::size_t>(choice.partition)];
    const s::RecordMeta meta{rec.head.opaque, ts, 0, 0};
    if (b == nullptr || !b->append(ts, k, v, {}, meta, kBatchSize)) {
      if (b != nullptr) send(b);
      b = pool.acquire(0);
      b->reset(0, choice.partition, 0);
      if (!b->append(ts, k, v, {}, meta, kBatchSize)) std::abort();
    }
    ring.pop();
    ++i;
  }
  for (s::Batch* b : open) {
    if (b != nullptr) pool.release(b);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(i));
  state.counters["records_per_request"] =
      static_cast<double>(i) / static_cast<double>(requests == 0 ? 1 : requests);
  state.counters["wire_bytes_per_record"] =
      static_cast<double>(request_bytes) / static_cast<double>(i);
}

BENCHMARK_CAPTURE(BM_ProduceToRequest, none, rk::wire::Compression::kNone);
BENCHMARK_CAPTURE(BM_ProduceToRequest, lz4, rk::wire::Compression::kLz4);
BENCHMARK_CAPTURE(BM_ProduceToRequest, snappy, rk::wire::Compression::kSnappy);
BENCHMARK_CAPTURE(BM_ProduceToRequest, zstd, rk::wire::Compression::kZstd);
BENCHMARK_CAPTURE(BM_ProduceToRequest, gzip, rk::wire::Compression::kGzip);

}  // namespace

BENCHMARK_MAIN();
