// ringkafka — version of the library and of the libraries it was built with.
#pragma once

#include "ringkafka/export.h"  // first: it stops a pre-C++20 build with the reason

#include <string_view>

namespace ringkafka {

/// The library's own version, "MAJOR.MINOR.PATCH", as `meson.build` declares it.
[[nodiscard]] RINGKAFKA_API std::string_view version() noexcept;

/// The versions of the compression, hashing and I/O libraries this
/// copy of ringkafka uses, for bug reports and `ringkafka-perf`'s header.
/// Where a library reports its version at run time (lz4, zstd, zlib, xxHash)
/// the string is that of the library actually loaded, which can
/// differ from the headers it was compiled against; snappy and liburing have
/// no such call, so theirs are the compile-time versions.
struct LibraryVersions {
  std::string_view lz4;
  std::string_view zstd;
  std::string_view zlib;
  std::string_view snappy;
  std::string_view xxhash;
  std::string_view liburing;
};

/// Filled once, on first call; the views stay valid for the program's life.
[[nodiscard]] RINGKAFKA_API const LibraryVersions& library_versions() noexcept;

}  // namespace ringkafka
