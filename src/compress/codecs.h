// Private to src/compress: one file per codec (gzip.cpp, snappy.cpp, lz4.cpp,
// zstd.cpp) owns that codec's wire format and its library's contexts;
// codec.cpp picks among them.  Contracts are those of Compressor::compress()
// and Decompressor::decompress() in codec.h.
#pragma once

#include <cstddef>
#include <span>

#include "compress/codec.h"

namespace ringkafka::compress::detail {

// Kafka sizes a batch with an int32, and zlib counts in 32-bit unsigned.
inline constexpr std::size_t kMaxStreamSize = 0x7fffffff;

using In = std::span<const std::byte>;
using Out = std::span<std::byte>;

// gzip.cpp
[[nodiscard]] z_stream_s* new_deflater(int level) noexcept;
void free_deflater(z_stream_s* s) noexcept;
[[nodiscard]] std::size_t gzip_bound(std::size_t n) noexcept;
[[nodiscard]] Result gzip_compress(z_stream_s& s, In in, Out out) noexcept;
[[nodiscard]] z_stream_s* new_inflater() noexcept;
void free_inflater(z_stream_s* s) noexcept;
[[nodiscard]] Result gzip_decompress(z_stream_s& s, In in, Out out) noexcept;

// snappy.cpp
[[nodiscard]] std::size_t snappy_bound(std::size_t n) noexcept;
[[nodiscard]] std::size_t snappy_scratch_size() noexcept;
[[nodiscard]] Result snappy_compress(In in, Out out, Out scratch) noexcept;
[[nodiscard]] Result snappy_decompress(In in, Out out) noexcept;

// lz4.cpp: `fast` for the Java client's default level, `hc` otherwise.
inline constexpr int kLz4FastLevel = 9;
[[nodiscard]] LZ4_stream_u* new_lz4_fast() noexcept;
[[nodiscard]] LZ4_streamHC_u* new_lz4_hc() noexcept;
void free_lz4(LZ4_stream_u* fast, LZ4_streamHC_u* hc) noexcept;
[[nodiscard]] std::size_t lz4_bound(std::size_t n) noexcept;
[[nodiscard]] Result lz4_compress(LZ4_stream_u* fast, LZ4_streamHC_u* hc, int level, In in,
                                  Out out) noexcept;
[[nodiscard]] LZ4F_dctx_s* new_lz4_reader() noexcept;
void free_lz4_reader(LZ4F_dctx_s* d) noexcept;
[[nodiscard]] Result lz4_decompress(LZ4F_dctx_s& d, In in, Out out) noexcept;

// zstd.cpp
[[nodiscard]] int zstd_min_level() noexcept;
[[nodiscard]] int zstd_max_level() noexcept;
[[nodiscard]] ZSTD_CCtx_s* new_zstd_writer(int level) noexcept;
void free_zstd_writer(ZSTD_CCtx_s* c) noexcept;
[[nodiscard]] std::size_t zstd_bound(std::size_t n) noexcept;
[[nodiscard]] Result zstd_compress(ZSTD_CCtx_s& c, In in, Out out) noexcept;
[[nodiscard]] ZSTD_DCtx_s* new_zstd_reader() noexcept;
void free_zstd_reader(ZSTD_DCtx_s* d) noexcept;
[[nodiscard]] Result zstd_decompress(ZSTD_DCtx_s& d, In in, Out out) noexcept;

}  // namespace ringkafka::compress::detail
