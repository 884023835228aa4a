// Compression of a RecordBatch v2 records section (everything after the
// 61-byte header), in the four formats a Kafka broker reads:
//
//   codec   written as                                       read
//   gzip    one RFC 1952 member (deflate, 32 KiB window)     gzip members
//   snappy  xerial framing, as the Java client writes it:    xerial framing,
//           "\x82SNAPPY\0", int32 version 1, int32 min-      or one raw snappy
//           compatible version 1, then per 32 KiB of input   block (no magic)
//           [int32 length][raw snappy block] (big-endian)
//   lz4     LZ4 frame: 64 KiB blocks, independent, no block  any LZ4 frame
//           or content checksum, no content size
//   zstd    one zstd frame (no content size, as Java)        zstd frames
//
// A Compressor holds one codec's contexts, made once by create(); a
// Decompressor holds one of each.  compress() and decompress() reuse them,
// never throw, write only inside `out` and report a result that does not fit
// as kOutputTooSmall.  Decompression never produces more than out.size()
// bytes, so a small compressed input cannot make it use more memory than the
// caller gave it (a "decompression bomb" ends as kOutputTooSmall).
//
// Heap use once warm (after the first call of a given shape):
//   gzip    none: deflateInit2() allocates all of deflate's memory and
//           deflateReset() keeps it; inflate's state and its lazily made
//           window come from an arena allocated with the Decompressor.
//   lz4     none at the Java client's default level and levels 1-9 (the
//           state is made by create()); levels 10-17 use LZ4's optimal
//           parser, which allocates a table per 64 KiB block inside liblz4.
//           Reading, LZ4F allocates its block buffers on the first frame and
//           again only for a frame with larger blocks than any before.
//   zstd    none: the compressor is a static context whose workspace,
//           sized for the level's largest input, is allocated by create().
//   snappy  reading none; writing allocates once per 32 KiB block, inside
//           the snappy library (its RawCompress allocates its hash table and
//           has no way to pass one in).
//
// Levels follow the Java client's compression.<codec>.level (KIP-390):
//   gzip    1..9, default -1 (zlib's default, which is level 6)
//   lz4     1..17, default 9; the default selects LZ4's fast compressor and
//           any other level the high-compression one at that level, as the
//           Java client does (levels above 12 act as 12)
//   zstd    ZSTD_minCLevel()..ZSTD_maxCLevel() (-131072..22), default 3
//   snappy, none: 0 only
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "wire/record_batch.h"

// The libraries' context types, so that this header does not pull in theirs.
struct z_stream_s;
union LZ4_stream_u;
union LZ4_streamHC_u;
struct LZ4F_dctx_s;
struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace ringkafka::compress {

using wire::Compression;

enum class Status : std::uint8_t {
  kOk = 0,
  kOutputTooSmall,    // the result does not fit in `out` (also: a bomb)
  kCorrupt,           // input is not a valid stream of the codec, or truncated
  kTooLarge,          // input over 2 GiB - 1, more than a Kafka batch can hold
  kUnsupportedCodec,  // attribute bits 0-2 name no codec we know
  kCodecError,        // the library failed for another reason (memory)
};

[[nodiscard]] const char* to_string(Status status) noexcept;

struct [[nodiscard]] Result {
  Status status = Status::kOk;
  std::size_t size = 0;  // bytes written to `out`, when ok()

  [[nodiscard]] bool ok() const noexcept { return status == Status::kOk; }
};

struct LevelRange {
  int min;
  int max;
  int default_level;  // gzip's -1 lies outside [min, max], as in Java
};

[[nodiscard]] LevelRange level_range(Compression codec) noexcept;
[[nodiscard]] bool valid_level(Compression codec, int level) noexcept;

inline constexpr std::size_t kZstdSlack = 16;

class Compressor {
 public:
  // nullptr when `codec` is unknown, `level` is not valid for it, or memory
  // for the contexts cannot be had.
  [[nodiscard]] static std::unique_ptr<Compressor> create(Compression codec) noexcept;
  [[nodiscard]] static std::unique_ptr<Compressor> create(Compression codec, int level) noexcept;

  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
  ~Compressor();

  [[nodiscard]] Compression codec() const noexcept { return codec_; }
  [[nodiscard]] int level() const noexcept { return level_; }

  // The most compress() can write for `n` input bytes; an `out` this large
  // never gives kOutputTooSmall.
  [[nodiscard]] std::size_t bound(std::size_t n) const noexcept;

  // Compresses all of `in` as one stream into the front of `out`.
  // kOutputTooSmall if it does not fit (the contents of `out` are then
  // unspecified), kTooLarge for an input over 2 GiB - 1.  zstd writes its
  // bit streams a word at a time and wants that slack at the end: with less
  // than bound(n) room it may refuse a result that would end within a few
  // bytes (9 seen, kZstdSlack allowed) of the end of `out`.
  Result compress(std::span<const std::byte> in, std::span<std::byte> out) noexcept;

 private:
  Compressor(Compression codec, int level) noexcept : codec_(codec), level_(level) {}

  Compression codec_;
  int level_;
  z_stream_s* deflate_ = nullptr;
  LZ4_stream_u* lz4_ = nullptr;
  LZ4_streamHC_u* lz4hc_ = nullptr;
  ZSTD_CCtx_s* zstd_ = nullptr;
  // Room for one snappy block's worst case, for when the rest of `out`
  // is smaller than that but the block may still fit.
  std::unique_ptr<std::byte[]> scratch_;
};

class Decompressor {
 public:
  // nullptr when memory for the contexts cannot be had.
  [[nodiscard]] static std::unique_ptr<Decompressor> create() noexcept;

  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
  ~Decompressor();

  // Decompresses all of `in`, a stream of `codec`, into the front of `out`.
  // kCorrupt for anything but complete, valid streams (an empty input
  // included), kOutputTooSmall when the data would go past `out`.
  Result decompress(Compression codec, std::span<const std::byte> in,
                    std::span<std::byte> out) noexcept;

 private:
  Decompressor() noexcept = default;

  z_stream_s* inflate_ = nullptr;
  LZ4F_dctx_s* lz4_ = nullptr;
  ZSTD_DCtx_s* zstd_ = nullptr;
};

}  // namespace ringkafka::compress
