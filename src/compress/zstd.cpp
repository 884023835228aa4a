// zstd: one standard frame (RFC 8878).  ZSTD_compress2() knows the input
// size, so the frame header carries it; the Java client streams and leaves
// it out, and reads either.
#include <zstd.h>
#include <zstd_errors.h>

#include "compress/codecs.h"

namespace ringkafka::compress::detail {

int zstd_min_level() noexcept { return ZSTD_minCLevel(); }
int zstd_max_level() noexcept { return ZSTD_maxCLevel(); }

ZSTD_CCtx_s* new_zstd_writer(int level) noexcept {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  if (c == nullptr) return nullptr;
  if (ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level))) {
    ZSTD_freeCCtx(c);
    return nullptr;
  }
  return c;
}

void free_zstd_writer(ZSTD_CCtx_s* c) noexcept { ZSTD_freeCCtx(c); }

std::size_t zstd_bound(std::size_t n) noexcept { return ZSTD_compressBound(n); }

Result zstd_compress(ZSTD_CCtx_s& c, In in, Out out) noexcept {
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  // Compresses straight into `out` and stops with dstSize_tooSmall when it
  // is full; the context's parameters stay, its session is reset.
  const std::size_t n = ZSTD_compress2(&c, out.data(), out.size(), in.data(), in.size());
  if (!ZSTD_isError(n)) return {Status::kOk, n};
  return {ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall ? Status::kOutputTooSmall
                                                               : Status::kCodecError};
}

ZSTD_DCtx_s* new_zstd_reader() noexcept { return ZSTD_createDCtx(); }

void free_zstd_reader(ZSTD_DCtx_s* d) noexcept { ZSTD_freeDCtx(d); }

Result zstd_decompress(ZSTD_DCtx_s& d, In in, Out out) noexcept {
  // zstd reads zero frames from an empty input and calls that success.
  if (in.empty()) return {Status::kCorrupt};
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  // One call decodes every frame straight into `out`, checking each block
  // against the room left: it needs no window buffer, whatever window size
  // a frame declares.
  const std::size_t n = ZSTD_decompressDCtx(&d, out.data(), out.size(), in.data(), in.size());
  if (!ZSTD_isError(n)) return {Status::kOk, n};
  switch (ZSTD_getErrorCode(n)) {
    case ZSTD_error_dstSize_tooSmall:
      return {Status::kOutputTooSmall};
    case ZSTD_error_memory_allocation:
      return {Status::kCodecError};
    default:
      return {Status::kCorrupt};
  }
}

}  // namespace ringkafka::compress::detail
