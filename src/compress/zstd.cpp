// zstd: one standard frame (RFC 8878).  With the static context below the
// frame header leaves the content size out, as the Java client's does;
// every reader reads either.
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize
#include <zstd.h>
#include <zstd_errors.h>

#include <cstdlib>

#include "compress/codecs.h"

namespace ringkafka::compress::detail {

int zstd_min_level() noexcept { return ZSTD_minCLevel(); }
int zstd_max_level() noexcept { return ZSTD_maxCLevel(); }

// A static context: one workspace sized for the level's largest input,
// made here, so that compressing never allocates.  A context made with
// ZSTD_createCCtx() resizes its workspace whenever the input sizes move
// (more room for a large batch, less after 128 small ones), which is an
// allocation in the middle of traffic.  The context lives at the start of
// the workspace, so freeing the workspace frees it.
ZSTD_CCtx_s* new_zstd_writer(int level) noexcept {
  const std::size_t size = ZSTD_estimateCCtxSize(level);
  void* workspace = std::malloc(size);
  if (workspace == nullptr) return nullptr;
  ZSTD_CCtx* c = ZSTD_initStaticCCtx(workspace, size);
  if (c == nullptr || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level))) {
    std::free(workspace);
    return nullptr;
  }
  return c;
}

void free_zstd_writer(ZSTD_CCtx_s* c) noexcept { std::free(c); }

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
