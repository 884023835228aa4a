// snappy as Kafka carries it: the Java client writes snappy-java's
// SnappyOutputStream framing (below); its reader also takes a plain raw
// snappy block when the magic is absent, which is what librdkafka and
// franz-go write.
//
//   0       8            12          16
//   | magic | version=1  | compat=1  | len | raw snappy block | len | ...
//     \x82 S N A P P Y \0             int32 BE, one block per 32 KiB of input
#include <snappy.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "compress/codecs.h"
#include "wire/byte_order.h"

namespace ringkafka::compress::detail {
namespace {

constexpr std::array<unsigned char, 8> kMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t kHeaderSize = 16;
constexpr std::int32_t kVersion = 1;
constexpr std::int32_t kMinCompatibleVersion = 1;
// SnappyOutputStream's default block size, which the Java client keeps.
constexpr std::size_t kBlockSize = 32 * 1024;
constexpr std::size_t kLengthSize = 4;

bool starts_with_magic(In in) noexcept {
  return in.size() >= kMagic.size() && std::memcmp(in.data(), kMagic.data(), kMagic.size()) == 0;
}

const char* chars(const std::byte* p) noexcept { return reinterpret_cast<const char*>(p); }
char* chars(std::byte* p) noexcept { return reinterpret_cast<char*>(p); }

// One raw snappy block.  Its preamble states the uncompressed length, which
// is checked against the room left before anything is written.
Result raw_block(In in, Out out) noexcept {
  std::size_t n = 0;
  if (!snappy::GetUncompressedLength(chars(in.data()), in.size(), &n)) return {Status::kCorrupt};
  if (n > out.size()) return {Status::kOutputTooSmall};
  if (!snappy::RawUncompress(chars(in.data()), in.size(), chars(out.data()))) {
    return {Status::kCorrupt};
  }
  return {Status::kOk, n};
}

}  // namespace

std::size_t snappy_bound(std::size_t n) noexcept {
  const std::size_t full = n / kBlockSize;
  const std::size_t rest = n % kBlockSize;
  return kHeaderSize + full * (kLengthSize + snappy::MaxCompressedLength(kBlockSize)) +
         (rest > 0 ? kLengthSize + snappy::MaxCompressedLength(rest) : 0);
}

std::size_t snappy_scratch_size() noexcept { return snappy::MaxCompressedLength(kBlockSize); }

Result snappy_compress(In in, Out out, Out scratch) noexcept {
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  if (out.size() < kHeaderSize) return {Status::kOutputTooSmall};
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  wire::store_be(out.data() + 8, kVersion);
  wire::store_be(out.data() + 12, kMinCompatibleVersion);
  std::size_t pos = kHeaderSize;
  for (std::size_t offset = 0; offset < in.size(); offset += kBlockSize) {
    const std::size_t len = std::min(kBlockSize, in.size() - offset);
    if (out.size() - pos < kLengthSize) return {Status::kOutputTooSmall};
    std::byte* length_field = out.data() + pos;
    pos += kLengthSize;
    std::byte* dst = out.data() + pos;
    const std::size_t room = out.size() - pos;
    std::size_t written = 0;
    // RawCompress needs room for the worst case; when less is left the
    // block goes through the scratch buffer and is kept if it fits.
    if (room >= snappy::MaxCompressedLength(len)) {
      snappy::RawCompress(chars(in.data() + offset), len, chars(dst), &written);
    } else {
      snappy::RawCompress(chars(in.data() + offset), len, chars(scratch.data()), &written);
      if (written > room) return {Status::kOutputTooSmall};
      std::memcpy(dst, scratch.data(), written);
    }
    wire::store_be(length_field, static_cast<std::int32_t>(written));
    pos += written;
  }
  return {Status::kOk, pos};
}

Result snappy_decompress(In in, Out out) noexcept {
  if (in.empty()) return {Status::kCorrupt};
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  if (!starts_with_magic(in)) return raw_block(in, out);
  std::size_t pos = 0;
  std::size_t written = 0;
  while (pos < in.size()) {
    const In rest = in.subspan(pos);
    // snappy-java reads streams written back to back as one, each with its
    // own header.  The versions are not checked, as snappy-java reads any.
    if (starts_with_magic(rest)) {
      if (rest.size() < kHeaderSize) return {Status::kCorrupt};
      pos += kHeaderSize;
      continue;
    }
    if (rest.size() < kLengthSize) return {Status::kCorrupt};
    const std::int32_t len = wire::load_be<std::int32_t>(rest.data());
    if (len < 0 || static_cast<std::size_t>(len) > rest.size() - kLengthSize) {
      return {Status::kCorrupt};
    }
    const Result block =
        raw_block(rest.subspan(kLengthSize, static_cast<std::size_t>(len)), out.subspan(written));
    if (!block.ok()) return block;
    written += block.size;
    pos += kLengthSize + static_cast<std::size_t>(len);
  }
  return {Status::kOk, written};
}

}  // namespace ringkafka::compress::detail
