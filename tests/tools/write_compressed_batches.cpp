// Writes RecordBatches of the golden recipe, sealed compressed by ringkafka,
// one per line in tests/golden/record_batches.txt's format, for every codec
// and a spread of levels, so that the Java client can check it reads them
// (java_reads_compressed_test.sh, tools/golden/verify).
#include <cstdio>
#include <string>
#include <vector>

#include "compress/batch.h"
#include "recipe_batch.h"

namespace c = ringkafka::compress;
namespace golden = ringkafka::golden;
namespace w = ringkafka::wire;

namespace {

struct Codec {
  w::Compression codec;
  const char* name;
  std::vector<int> levels;
};

}  // namespace

int main() {
  const Codec codecs[] = {
      {w::Compression::kNone, "none", {0}},
      {w::Compression::kGzip, "gzip", {-1, 1, 9}},
      {w::Compression::kSnappy, "snappy", {0}},
      {w::Compression::kLz4, "lz4", {9, 1, 3, 12, 17}},
      {w::Compression::kZstd, "zstd", {3, -5, 1, 19}},
  };
  // Small and large (several lz4 and snappy blocks), every record shape, and
  // the producer fields of an idempotent and a transactional producer.
  const golden::RecipeBatch recipes[] = {
      {"headers", "", 50, true, false, true, {}, {}},
      {"null_keys", "", 7, false, false, false, {}, {}},
      {"tombstones", "", 5, true, true, false, {}, {}},
      {"idempotent", "", 30, true, false, false, w::ProducerFields{123456789, 7, 42, false}, {}},
      {"transactional", "", 30, true, false, true,
       w::ProducerFields{987654321012, 3, 2147483600, true}, {}},
      {"large", "", 4000, true, false, true, {}, {}},
  };
  std::vector<std::byte> records(1 << 20);
  std::vector<std::byte> out;
  std::printf("# name codec count keyed null_values headers producer_id epoch base_sequence "
              "transactional batch_hex\n# written by ringkafka (tests/tools/write_compressed_batches)\n");
  for (const auto& codec : codecs) {
    for (int level : codec.levels) {
      const auto compressor = c::Compressor::create(codec.codec, level);
      if (compressor == nullptr) {
        std::fprintf(stderr, "no %s compressor at level %d\n", codec.name, level);
        return 1;
      }
      for (auto recipe : recipes) {
        w::RecordBatchWriter writer(records);
        if (!golden::fill(writer, recipe)) {
          std::fprintf(stderr, "%s does not fit\n", recipe.name.c_str());
          return 1;
        }
        out.resize(c::compressed_batch_bound(writer, *compressor));
        const c::Result r = c::seal_compressed(writer, *compressor, out);
        if (!r.ok()) {
          std::fprintf(stderr, "%s %s: %s\n", codec.name, recipe.name.c_str(), c::to_string(r.status));
          return 1;
        }
        recipe.codec = codec.name;
        recipe.name.append("-").append(codec.name).append("@").append(std::to_string(level));
        std::printf("%s\n", golden::line(recipe, std::span(out).first(r.size)).c_str());
      }
    }
  }
  return 0;
}
