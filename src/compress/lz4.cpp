// lz4: the LZ4 frame format (lz4's doc/lz4_Frame_format.md).  We write the
// frame ourselves around LZ4's block compressor, as the Java client does
// (Lz4BlockOutputStream): its options are fixed, so the header is a constant,
// every block is compressed straight into the caller's buffer, and "does it
// fit" has an exact answer without LZ4F's worst-case sizing.  Reading takes
// any frame through LZ4F.
//
//   04 22 4d 18   magic 0x184D2204, little-endian
//   60            FLG: version 01, blocks independent (the Java client
//                 refuses linked blocks), no block checksum, no content
//                 size, no content checksum, no dictionary id
//   40            BD: largest block 64 KiB
//   82            HC: (XXH32(FLG BD, seed 0) >> 8) & 0xff
//   [u32 LE size | raw bit 31][block] ...   one block per 64 KiB of input,
//                                           stored raw when LZ4 cannot shrink it
//   00 00 00 00   end mark
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "compress/codecs.h"

namespace ringkafka::compress::detail {
namespace {

constexpr std::array<unsigned char, 7> kFrameHeader = {0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82};
constexpr std::size_t kBlockSize = 64 * 1024;
constexpr std::size_t kBlockHeaderSize = 4;
constexpr std::uint32_t kRawBlock = 0x80000000U;

// Frame integers are little-endian, as is every host we build for (see
// wire/byte_order.h).
void store_le32(std::byte* p, std::uint32_t v) noexcept { std::memcpy(p, &v, sizeof v); }

}  // namespace

LZ4_stream_u* new_lz4_fast() noexcept { return LZ4_createStream(); }
LZ4_streamHC_u* new_lz4_hc() noexcept { return LZ4_createStreamHC(); }

void free_lz4(LZ4_stream_u* fast, LZ4_streamHC_u* hc) noexcept {
  LZ4_freeStream(fast);
  LZ4_freeStreamHC(hc);
}

std::size_t lz4_bound(std::size_t n) noexcept {
  const std::size_t blocks = (n + kBlockSize - 1) / kBlockSize;
  return kFrameHeader.size() + blocks * kBlockHeaderSize + n + kBlockHeaderSize;
}

Result lz4_compress(LZ4_stream_u* fast, LZ4_streamHC_u* hc, int level, In in, Out out) noexcept {
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  if (out.size() < kFrameHeader.size()) return {Status::kOutputTooSmall};
  std::memcpy(out.data(), kFrameHeader.data(), kFrameHeader.size());
  std::size_t pos = kFrameHeader.size();
  for (std::size_t offset = 0; offset < in.size(); offset += kBlockSize) {
    const std::size_t len = std::min(kBlockSize, in.size() - offset);
    if (out.size() - pos < kBlockHeaderSize) return {Status::kOutputTooSmall};
    std::byte* header = out.data() + pos;
    std::byte* dst = header + kBlockHeaderSize;
    const std::size_t room = out.size() - pos - kBlockHeaderSize;
    const char* src = reinterpret_cast<const char*>(in.data() + offset);
    // A compressed block is worth keeping only when smaller than the input,
    // so that is all the room LZ4 gets; 0 means it did not manage.  The
    // reset before each block is what makes the blocks independent.
    const int capacity = static_cast<int>(std::min(room, len - 1));
    int compressed = 0;
    if (fast != nullptr) {
      LZ4_resetStream_fast(fast);
      compressed = LZ4_compress_fast_continue(fast, src, reinterpret_cast<char*>(dst),
                                              static_cast<int>(len), capacity, 1);
      // A failed call leaves the stream undefined (lz4.h); the HC stream
      // marks itself dirty and is cleaned by its next reset instead.
      if (compressed <= 0) LZ4_initStream(fast, sizeof(*fast));
    } else {
      LZ4_resetStreamHC_fast(hc, level);
      compressed = LZ4_compress_HC_continue(hc, src, reinterpret_cast<char*>(dst),
                                            static_cast<int>(len), capacity);
    }
    if (compressed > 0) {
      store_le32(header, static_cast<std::uint32_t>(compressed));
      pos += kBlockHeaderSize + static_cast<std::size_t>(compressed);
    } else if (len <= room) {
      store_le32(header, static_cast<std::uint32_t>(len) | kRawBlock);
      std::memcpy(dst, src, len);
      pos += kBlockHeaderSize + len;
    } else {
      return {Status::kOutputTooSmall};
    }
  }
  if (out.size() - pos < kBlockHeaderSize) return {Status::kOutputTooSmall};
  store_le32(out.data() + pos, 0);  // end mark
  return {Status::kOk, pos + kBlockHeaderSize};
}

LZ4F_dctx_s* new_lz4_reader() noexcept {
  LZ4F_dctx* d = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) return nullptr;
  return d;
}

void free_lz4_reader(LZ4F_dctx_s* d) noexcept { LZ4F_freeDecompressionContext(d); }

Result lz4_decompress(LZ4F_dctx_s& d, In in, Out out) noexcept {
  if (in.empty()) return {Status::kCorrupt};
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  // After an error LZ4F's state is undefined; start clean every time.
  LZ4F_resetDecompressionContext(&d);
  LZ4F_decompressOptions_t options{};
  options.stableDst = 1;  // one output buffer for the whole call
  std::size_t in_pos = 0;
  std::size_t out_pos = 0;
  for (;;) {
    std::size_t in_n = in.size() - in_pos;
    std::size_t out_n = out.size() - out_pos;
    const std::size_t hint =
        LZ4F_decompress(&d, out.data() + out_pos, &out_n, in.data() + in_pos, &in_n, &options);
    if (LZ4F_isError(hint)) return {Status::kCorrupt};
    in_pos += in_n;
    out_pos += out_n;
    if (hint == 0) {  // a frame ended; LZ4F starts on the next one by itself
      if (in_pos == in.size()) return {Status::kOk, out_pos};
      continue;
    }
    // Mid-frame with no progress: it wants room we do not have, or input
    // that is not there.
    if (in_n == 0 && out_n == 0) {
      return {out_pos == out.size() ? Status::kOutputTooSmall : Status::kCorrupt};
    }
  }
}

}  // namespace ringkafka::compress::detail
