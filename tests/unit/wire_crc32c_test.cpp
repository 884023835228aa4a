#include "wire/crc32c.h"

#include <cstring>
#include <random>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace {

using ringkafka::wire::crc32c;
using ringkafka::wire::crc32c_hardware;
using ringkafka::wire::crc32c_hardware_available;
using ringkafka::wire::crc32c_portable;

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

std::vector<std::byte> filled(std::size_t n, auto byte_at) {
  std::vector<std::byte> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(byte_at(i));
  return v;
}

using Fn = std::uint32_t (*)(std::span<const std::byte>, std::uint32_t) noexcept;

class Crc32c : public ::testing::TestWithParam<Fn> {
 protected:
  void SetUp() override {
    if (GetParam() == &crc32c_hardware && !crc32c_hardware_available()) {
      GTEST_SKIP() << "this CPU has no SSE4.2; the portable path is tested";
    }
  }
  std::uint32_t crc(std::span<const std::byte> d, std::uint32_t c = 0) { return GetParam()(d, c); }
};

// The check value of the CRC-32C parameter set, and RFC 3720 (iSCSI) B.4.
TEST_P(Crc32c, PublishedVectors) {
  EXPECT_EQ(crc(bytes("123456789")), 0xE3069283U);
  EXPECT_EQ(crc({}), 0U);
  EXPECT_EQ(crc(filled(32, [](std::size_t) { return 0x00; })), 0x8A9136AAU);
  EXPECT_EQ(crc(filled(32, [](std::size_t) { return 0xFF; })), 0x62A8AB43U);
  EXPECT_EQ(crc(filled(32, [](std::size_t i) { return i; })), 0x46DD794EU);
  EXPECT_EQ(crc(filled(32, [](std::size_t i) { return 31 - i; })), 0x113FDB5CU);
  // RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU.
  const unsigned char pdu[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc(std::as_bytes(std::span(pdu))), 0xD9963A56U);
}

// Every length around the 8-byte step, at every alignment, split at every
// point: the byte loop, the word loop and the tail must agree with the
// bit-at-a-time definition.
TEST_P(Crc32c, MatchesBitwiseDefinitionAcrossLengthsAlignmentsAndSplits) {
  auto reference = [](std::span<const std::byte> d) {
    std::uint32_t c = ~0U;
    for (auto b : d) {
      c ^= static_cast<std::uint8_t>(b);
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) != 0 ? 0x82F63B78U : 0U);
    }
    return ~c;
  };
  std::mt19937 rng(42);
  std::vector<std::byte> buf(200);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len = 0; len + offset <= 80; ++len) {
      const std::span<const std::byte> d(buf.data() + offset, len);
      const auto want = reference(d);
      ASSERT_EQ(crc(d), want) << "offset " << offset << " length " << len;
      for (std::size_t cut = 0; cut <= len; cut += 3) {
        ASSERT_EQ(crc(d.subspan(cut), crc(d.first(cut))), want)
            << "offset " << offset << " length " << len << " split " << cut;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, Crc32c,
                         ::testing::Values(&crc32c_portable, &crc32c_hardware, &crc32c),
                         [](const auto& param) {
                           return param.index == 0 ? "portable"
                                                   : param.index == 1 ? "hardware" : "dispatch";
                         });

TEST(Crc32cDispatch, HardwareAndPortableAgreeOnLargeRandomBuffers) {
  std::mt19937_64 rng(7);
  std::vector<std::byte> buf(1 << 20);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (std::size_t len : {1000UL, 4096UL, 65537UL, buf.size()}) {
    const std::span<const std::byte> d(buf.data() + 3, len - 3);
    EXPECT_EQ(crc32c(d), crc32c_portable(d)) << len;
  }
}

}  // namespace
