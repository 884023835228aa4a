#include "ringkafka/version.h"

#include <cctype>
#include <string>

#include <gtest/gtest.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

namespace {

bool looks_like_version(std::string_view v) {
  // "M.m.p", possibly followed by a suffix such as "-develop" or ".fc".
  int dots = 0;
  std::size_t i = 0;
  for (; i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.'); ++i) {
    dots += v[i] == '.';
  }
  return i > 0 && std::isdigit(static_cast<unsigned char>(v[0])) && dots >= 1;
}

TEST(Version, MatchesMesonProjectVersion) {
  EXPECT_EQ(ringkafka::version(), RINGKAFKA_TEST_PROJECT_VERSION);
}

TEST(Version, EveryLinkedLibraryReportsAVersion) {
  const auto& v = ringkafka::library_versions();
  for (auto [name, value] : {std::pair{"lz4", v.lz4}, {"zstd", v.zstd}, {"zlib", v.zlib},
                             {"snappy", v.snappy}, {"xxhash", v.xxhash},
                             {"liburing", v.liburing}}) {
    EXPECT_TRUE(looks_like_version(value)) << name << " reported '" << value << "'";
  }
}

TEST(Version, RuntimeVersionsComeFromTheLoadedLibraries) {
  const auto& v = ringkafka::library_versions();
  EXPECT_EQ(v.lz4, LZ4_versionString());
  EXPECT_EQ(v.zstd, ZSTD_versionString());
  EXPECT_EQ(v.zlib, zlibVersion());
  // Same object every call: views into storage that lives for the program.
  EXPECT_EQ(&ringkafka::library_versions(), &v);
}

}  // namespace
