// gzip: RFC 1952 over zlib's deflate.  The Java client writes one member
// with java.util.zip.GZIPOutputStream; its broker and consumers read a
// series of members, and so do we.
#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <new>

#include "compress/codecs.h"

namespace ringkafka::compress::detail {
namespace {

// 32 KiB window, gzip wrapper (RFC 1952) rather than zlib's (RFC 1950).
constexpr int kWindowBits = 15 + 16;
// zlib's default, and what java.util.zip.Deflater uses.
constexpr int kMemLevel = 8;

// The header GZIPOutputStream writes: no name, mtime 0, OS 255 ("unknown").
// zlib would otherwise say OS 3 (Unix); with this our header is the Java
// client's byte for byte (XFL aside, which zlib derives from the level).
// deflate() only reads it, so one shared instance serves every stream.
gz_header* java_header() noexcept {
  static gz_header header = [] {
    gz_header h{};
    h.os = 255;
    return h;
  }();
  return &header;
}

uInt clamp(std::size_t n) noexcept { return static_cast<uInt>(std::min(n, kMaxStreamSize)); }

// inflate allocates its state in inflateInit2() but its 32 KiB window only
// when a stream first takes more than one inflate() call, which is when the
// output runs out: exactly a decompression bomb's case.  An arena made with
// the inflater serves both, so no later call reaches the heap.  zlib frees
// nothing before inflateEnd(), so the arena only bumps.  Room for zlib's
// ~7 KiB state and the window; anything else (another zlib build) falls
// back to the heap.
constexpr std::size_t kInflateArenaSize = 48 * 1024;

struct Inflater {
  z_stream stream{};  // first: a z_stream* to it is an Inflater*
  std::size_t used = 0;
  alignas(std::max_align_t) std::byte arena[kInflateArenaSize];
};

bool in_arena(const Inflater& inflater, const void* p) noexcept {
  // std::less orders pointers into different objects too (zfree gets heap
  // pointers when the arena ran out).
  const auto* b = static_cast<const std::byte*>(p);
  const std::less<const std::byte*> before;
  return !before(b, inflater.arena) && before(b, inflater.arena + kInflateArenaSize);
}

voidpf arena_alloc(voidpf opaque, uInt items, uInt size) noexcept {
  auto& inflater = *static_cast<Inflater*>(opaque);
  const std::size_t n = std::size_t{items} * size;  // no overflow: both 32-bit
  constexpr std::size_t kAlign = alignof(std::max_align_t);
  const std::size_t rounded = (n + kAlign - 1) & ~(kAlign - 1);
  if (rounded <= kInflateArenaSize - inflater.used) {
    void* p = inflater.arena + inflater.used;
    inflater.used += rounded;
    return p;
  }
  return std::malloc(n);
}

void arena_free(voidpf opaque, voidpf p) noexcept {
  if (!in_arena(*static_cast<Inflater*>(opaque), p)) std::free(p);
}

}  // namespace

z_stream_s* new_deflater(int level) noexcept {
  auto* s = new (std::nothrow) z_stream{};
  if (s == nullptr) return nullptr;
  if (deflateInit2(s, level, Z_DEFLATED, kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    delete s;
    return nullptr;
  }
  return s;
}

void free_deflater(z_stream_s* s) noexcept {
  if (s == nullptr) return;
  deflateEnd(s);
  delete s;
}

std::size_t gzip_bound(std::size_t n) noexcept {
  // compressBound() is for deflate with these parameters in zlib's 6-byte
  // wrapper; gzip's header and trailer take 18.
  return compressBound(static_cast<uLong>(n)) + (18 - 6);
}

Result gzip_compress(z_stream_s& s, In in, Out out) noexcept {
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  // The smallest member (empty input) is 20 bytes; zlib also rejects a null
  // output pointer, which an empty span may have.
  if (out.empty()) return {Status::kOutputTooSmall};
  // Reset keeps the state and window deflateInit2() allocated.
  if (deflateReset(&s) != Z_OK || deflateSetHeader(&s, java_header()) != Z_OK) {
    return {Status::kCodecError};
  }
  s.next_in = reinterpret_cast<const Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = clamp(out.size());
  switch (deflate(&s, Z_FINISH)) {
    case Z_STREAM_END:
      return {Status::kOk, static_cast<std::size_t>(s.total_out)};
    case Z_OK:
    case Z_BUF_ERROR:
      return {Status::kOutputTooSmall};
    default:
      return {Status::kCodecError};
  }
}

z_stream_s* new_inflater() noexcept {
  auto* inflater = new (std::nothrow) Inflater;
  if (inflater == nullptr) return nullptr;
  inflater->stream.zalloc = arena_alloc;
  inflater->stream.zfree = arena_free;
  inflater->stream.opaque = inflater;
  if (inflateInit2(&inflater->stream, kWindowBits) != Z_OK) {
    delete inflater;
    return nullptr;
  }
  return &inflater->stream;
}

void free_inflater(z_stream_s* s) noexcept {
  if (s == nullptr) return;
  inflateEnd(s);
  delete reinterpret_cast<Inflater*>(s);
}

Result gzip_decompress(z_stream_s& s, In in, Out out) noexcept {
  if (in.empty()) return {Status::kCorrupt};
  if (in.size() > kMaxStreamSize) return {Status::kTooLarge};
  if (inflateReset(&s) != Z_OK) return {Status::kCodecError};
  Bytef none = 0;  // zlib refuses a null output pointer even with no room
  const uInt capacity = clamp(out.size());
  s.next_in = reinterpret_cast<const Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = out.empty() ? &none : reinterpret_cast<Bytef*>(out.data());
  s.avail_out = capacity;
  // Each Z_OK made progress, and input and output are finite, so this ends.
  for (;;) {
    switch (inflate(&s, Z_NO_FLUSH)) {
      case Z_OK:
        continue;
      case Z_STREAM_END:
        if (s.avail_in == 0) return {Status::kOk, capacity - s.avail_out};
        // Another member follows (RFC 1952 2.2); the reset keeps our
        // position in both buffers.
        if (inflateReset(&s) != Z_OK) return {Status::kCodecError};
        continue;
      case Z_BUF_ERROR:  // no progress possible: out of room, or of input
        return {s.avail_out == 0 ? Status::kOutputTooSmall : Status::kCorrupt};
      case Z_MEM_ERROR:
        return {Status::kCodecError};
      default:  // Z_DATA_ERROR, Z_NEED_DICT
        return {Status::kCorrupt};
    }
  }
}

}  // namespace ringkafka::compress::detail
