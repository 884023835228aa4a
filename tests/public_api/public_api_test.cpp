// Built with include/ only and linked to libringkafka.so: if a public header
// needs something from src/, or a public symbol is not exported, this fails.
#include <ringkafka/version.h>

#include <gtest/gtest.h>

TEST(PublicApi, VersionIsExportedFromTheSharedLibrary) {
  EXPECT_FALSE(ringkafka::version().empty());
  EXPECT_FALSE(ringkafka::library_versions().zstd.empty());
}
