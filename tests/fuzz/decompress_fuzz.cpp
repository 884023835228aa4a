// libFuzzer target for the decompressors the test broker (and any reader of
// batches) runs on input it did not write.  The first byte picks the codec
// (1 gzip, 2 snappy, 3 lz4, 4 zstd); the rest is the compressed stream.  The
// output span is small, so bombs end as kOutputTooSmall; anything but a
// clean status is a finding.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "compress/codec.h"

namespace c = ringkafka::compress;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<c::Decompressor> decompressor = c::Decompressor::create();
  static std::vector<std::byte> out(1 << 20);
  if (size == 0 || decompressor == nullptr) return 0;
  const auto codec = static_cast<c::Compression>(1 + data[0] % 4);
  const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  const c::Result r = decompressor->decompress(codec, in, out);
  return r.ok() && r.size > out.size() ? 1 : 0;
}
