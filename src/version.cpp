#include "ringkafka/version.h"

#include <cstdio>

#include <lz4.h>
#include <snappy-stubs-public.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

namespace ringkafka {
namespace {

// "M.m.p" from an integer M*10000 + m*100 + p (xxHash's encoding).
void format_decimal_version(char (&out)[16], unsigned v) noexcept {
  std::snprintf(out, sizeof out, "%u.%u.%u", v / 10000, (v / 100) % 100, v % 100);
}

LibraryVersions read_versions() noexcept {
  static char xxhash_buf[16];
  static char snappy_buf[16];
  format_decimal_version(xxhash_buf, XXH_versionNumber());
  std::snprintf(snappy_buf, sizeof snappy_buf, "%d.%d.%d", SNAPPY_MAJOR, SNAPPY_MINOR,
                SNAPPY_PATCHLEVEL);
  return LibraryVersions{
      .lz4 = LZ4_versionString(),
      .zstd = ZSTD_versionString(),
      .zlib = zlibVersion(),
      .snappy = snappy_buf,
      .xxhash = xxhash_buf,
      .liburing = RINGKAFKA_LIBURING_VERSION,
  };
}

}  // namespace

std::string_view version() noexcept { return RINGKAFKA_VERSION; }

const LibraryVersions& library_versions() noexcept {
  static const LibraryVersions versions = read_versions();
  return versions;
}

}  // namespace ringkafka
