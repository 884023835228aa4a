#include "compress/codec.h"

#include <cstring>
#include <new>

#include "compress/codecs.h"

namespace ringkafka::compress {
namespace {

// "none" is a copy, so that callers can treat every codec alike.
Result copy(std::span<const std::byte> in, std::span<std::byte> out) noexcept {
  if (in.size() > detail::kMaxStreamSize) return {Status::kTooLarge};
  if (in.size() > out.size()) return {Status::kOutputTooSmall};
  if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
  return {Status::kOk, in.size()};
}

}  // namespace

const char* to_string(Status status) noexcept {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kOutputTooSmall: return "output too small";
    case Status::kCorrupt: return "corrupt or truncated input";
    case Status::kTooLarge: return "input too large";
    case Status::kUnsupportedCodec: return "unsupported codec";
    case Status::kCodecError: return "codec library error";
  }
  return "unknown status";
}

LevelRange level_range(Compression codec) noexcept {
  switch (codec) {
    case Compression::kGzip: return {1, 9, -1};
    case Compression::kLz4: return {1, 17, detail::kLz4FastLevel};
    case Compression::kZstd: return {detail::zstd_min_level(), detail::zstd_max_level(), 3};
    case Compression::kNone:
    case Compression::kSnappy: break;
  }
  return {0, 0, 0};
}

bool valid_level(Compression codec, int level) noexcept {
  switch (codec) {
    case Compression::kNone:
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kLz4:
    case Compression::kZstd: {
      const LevelRange r = level_range(codec);
      return level == r.default_level || (level >= r.min && level <= r.max);
    }
  }
  return false;  // attribute bits 5-7
}

std::unique_ptr<Compressor> Compressor::create(Compression codec) noexcept {
  return create(codec, level_range(codec).default_level);
}

std::unique_ptr<Compressor> Compressor::create(Compression codec, int level) noexcept {
  if (!valid_level(codec, level)) return nullptr;
  std::unique_ptr<Compressor> c(new (std::nothrow) Compressor(codec, level));
  if (c == nullptr) return nullptr;
  bool made = true;
  switch (codec) {
    case Compression::kNone:
      break;
    case Compression::kGzip:
      made = (c->deflate_ = detail::new_deflater(level)) != nullptr;
      break;
    case Compression::kSnappy:
      c->scratch_.reset(new (std::nothrow) std::byte[detail::snappy_scratch_size()]);
      made = c->scratch_ != nullptr;
      break;
    case Compression::kLz4:
      if (level == detail::kLz4FastLevel) {
        made = (c->lz4_ = detail::new_lz4_fast()) != nullptr;
      } else {
        made = (c->lz4hc_ = detail::new_lz4_hc()) != nullptr;
      }
      break;
    case Compression::kZstd:
      made = (c->zstd_ = detail::new_zstd_writer(level)) != nullptr;
      break;
  }
  return made ? std::move(c) : nullptr;
}

Compressor::~Compressor() {
  detail::free_deflater(deflate_);
  detail::free_lz4(lz4_, lz4hc_);
  detail::free_zstd_writer(zstd_);
}

std::size_t Compressor::bound(std::size_t n) const noexcept {
  switch (codec_) {
    case Compression::kNone: return n;
    case Compression::kGzip: return detail::gzip_bound(n);
    case Compression::kSnappy: return detail::snappy_bound(n);
    case Compression::kLz4: return detail::lz4_bound(n);
    case Compression::kZstd: return detail::zstd_bound(n);
  }
  return 0;
}

Result Compressor::compress(std::span<const std::byte> in, std::span<std::byte> out) noexcept {
  switch (codec_) {
    case Compression::kNone: return copy(in, out);
    case Compression::kGzip: return detail::gzip_compress(*deflate_, in, out);
    case Compression::kSnappy:
      return detail::snappy_compress(in, out, {scratch_.get(), detail::snappy_scratch_size()});
    case Compression::kLz4: return detail::lz4_compress(lz4_, lz4hc_, level_, in, out);
    case Compression::kZstd: return detail::zstd_compress(*zstd_, in, out);
  }
  return {Status::kUnsupportedCodec};
}

std::unique_ptr<Decompressor> Decompressor::create() noexcept {
  std::unique_ptr<Decompressor> d(new (std::nothrow) Decompressor());
  if (d == nullptr) return nullptr;
  d->inflate_ = detail::new_inflater();
  d->lz4_ = detail::new_lz4_reader();
  d->zstd_ = detail::new_zstd_reader();
  if (d->inflate_ == nullptr || d->lz4_ == nullptr || d->zstd_ == nullptr) return nullptr;
  return d;
}

Decompressor::~Decompressor() {
  detail::free_inflater(inflate_);
  detail::free_lz4_reader(lz4_);
  detail::free_zstd_reader(zstd_);
}

Result Decompressor::decompress(Compression codec, std::span<const std::byte> in,
                                std::span<std::byte> out) noexcept {
  switch (codec) {
    case Compression::kNone: return copy(in, out);
    case Compression::kGzip: return detail::gzip_decompress(*inflate_, in, out);
    case Compression::kSnappy: return detail::snappy_decompress(in, out);
    case Compression::kLz4: return detail::lz4_decompress(*lz4_, in, out);
    case Compression::kZstd: return detail::zstd_decompress(*zstd_, in, out);
  }
  return {Status::kUnsupportedCodec};
}

}  // namespace ringkafka::compress
