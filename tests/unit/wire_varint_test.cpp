#include "wire/varint.h"

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "test_bytes.h"

namespace w = ringkafka::wire;

namespace {

using ringkafka::testing::bytes;

std::vector<std::byte> encode_uvarint(std::uint64_t v) {
  std::array<std::byte, w::kMaxVarint64Bytes> buf{};
  return {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(w::write_uvarint(buf.data(), v))};
}

// Values the Java client's ByteUtils produces (its ByteUtilsTest checks the
// same encodings).
TEST(Varint, KnownEncodings) {
  EXPECT_EQ(encode_uvarint(0), bytes({0x00}));
  EXPECT_EQ(encode_uvarint(1), bytes({0x01}));
  EXPECT_EQ(encode_uvarint(127), bytes({0x7f}));
  EXPECT_EQ(encode_uvarint(128), bytes({0x80, 0x01}));
  EXPECT_EQ(encode_uvarint(300), bytes({0xac, 0x02}));
  EXPECT_EQ(encode_uvarint(16383), bytes({0xff, 0x7f}));
  EXPECT_EQ(encode_uvarint(16384), bytes({0x80, 0x80, 0x01}));
  EXPECT_EQ(encode_uvarint(0xffffffffU), bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(encode_uvarint(std::numeric_limits<std::uint64_t>::max()),
            bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(Varint, ZigZagMatchesTheProtocolTable) {
  EXPECT_EQ(w::zigzag_encode(std::int32_t{0}), 0U);
  EXPECT_EQ(w::zigzag_encode(std::int32_t{-1}), 1U);
  EXPECT_EQ(w::zigzag_encode(std::int32_t{1}), 2U);
  EXPECT_EQ(w::zigzag_encode(std::int32_t{-2}), 3U);
  EXPECT_EQ(w::zigzag_encode(std::numeric_limits<std::int32_t>::max()), 0xfffffffeU);
  EXPECT_EQ(w::zigzag_encode(std::numeric_limits<std::int32_t>::min()), 0xffffffffU);
  EXPECT_EQ(w::zigzag_encode(std::numeric_limits<std::int64_t>::min()),
            std::numeric_limits<std::uint64_t>::max());
  // A null key or value is length -1, one byte 0x01 on the wire.
  std::array<std::byte, 5> buf{};
  ASSERT_EQ(w::write_varint(buf.data(), -1), 1U);
  EXPECT_EQ(buf[0], std::byte{0x01});
}

TEST(Varint, SizeAndRoundTripAtEverySevenBitBoundary) {
  for (unsigned bits = 0; bits <= 64; ++bits) {
    for (std::uint64_t delta : {0ULL, 1ULL}) {
      const std::uint64_t edge = bits == 64 ? ~0ULL : (1ULL << bits);
      const std::uint64_t v = edge - delta;
      const auto enc = encode_uvarint(v);
      ASSERT_EQ(enc.size(), w::uvarint_size(v)) << v;
      std::uint64_t back = 0;
      ASSERT_EQ(w::read_uvarint(enc, back), enc.size()) << v;
      EXPECT_EQ(back, v);
      if (v <= 0xffffffffU) {
        std::uint32_t back32 = 0;
        ASSERT_EQ(w::read_uvarint(enc, back32), enc.size()) << v;
        EXPECT_EQ(back32, v);
      }
    }
  }
}

TEST(Varint, SignedRoundTrip) {
  using L = std::int64_t;
  for (L v : {L{0}, L{1}, L{-1}, L{63}, L{-64}, L{64}, L{-65}, L{1} << 40, -(L{1} << 40),
              std::numeric_limits<L>::max(), std::numeric_limits<L>::min()}) {
    std::array<std::byte, w::kMaxVarint64Bytes> buf{};
    const auto n = w::write_varlong(buf.data(), v);
    EXPECT_EQ(n, w::varlong_size(v));
    std::int64_t back = 0;
    EXPECT_EQ(w::read_varlong(std::span(buf).first(n), back), n);
    EXPECT_EQ(back, v);
  }
  for (std::int32_t v : {0, -1, 1, 1000000, -1000000, std::numeric_limits<std::int32_t>::max(),
                         std::numeric_limits<std::int32_t>::min()}) {
    std::array<std::byte, w::kMaxVarint32Bytes> buf{};
    const auto n = w::write_varint(buf.data(), v);
    EXPECT_EQ(n, w::varint_size(v));
    std::int32_t back = 0;
    EXPECT_EQ(w::read_varint(std::span(buf).first(n), back), n);
    EXPECT_EQ(back, v);
  }
}

TEST(Varint, ReaderRejectsTruncatedAndOverlongInput) {
  std::uint32_t v32 = 7;
  std::uint64_t v64 = 7;
  EXPECT_EQ(w::read_uvarint(std::span<const std::byte>{}, v32), 0U);
  EXPECT_EQ(w::read_uvarint(bytes({0x80}), v32), 0U);
  EXPECT_EQ(w::read_uvarint(bytes({0xff, 0xff, 0xff, 0xff}), v32), 0U);
  // Five bytes but bits beyond 32, or a continuation bit on the fifth.
  EXPECT_EQ(w::read_uvarint(bytes({0xff, 0xff, 0xff, 0xff, 0x1f}), v32), 0U);
  EXPECT_EQ(w::read_uvarint(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}), v32), 0U);
  EXPECT_EQ(v32, 7U) << "output untouched on error";
  EXPECT_EQ(w::read_uvarint(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}),
                            v64),
            0U);
  EXPECT_EQ(w::read_uvarint(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                   0x01}),
                            v64),
            0U);
  EXPECT_EQ(v64, 7U);
  // A redundant but in-range encoding (0 as 0x80 0x00) is what Java accepts too.
  EXPECT_EQ(w::read_uvarint(bytes({0x80, 0x00}), v32), 2U);
  EXPECT_EQ(v32, 0U);
  // Reads stop at the end of the number, not of the span.
  EXPECT_EQ(w::read_uvarint(bytes({0x05, 0xff, 0xff}), v32), 1U);
  EXPECT_EQ(v32, 5U);
}

}  // namespace
