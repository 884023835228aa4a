#include "wire/codec.h"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_bytes.h"

namespace w = ringkafka::wire;

namespace {

using ringkafka::testing::bytes;

std::vector<std::byte> written(const w::Writer& wr) {
  const auto s = wr.written();
  return {s.begin(), s.end()};
}

// One of every primitive, in the order a test message uses them.
void write_sample(w::Writer& wr) {
  wr.int8(-2);
  wr.int16(0x1234);
  wr.int32(-5);
  wr.int64(0x0102030405060708);
  wr.boolean(true);
  wr.uvarint(300);
  wr.varint(-3);
  wr.varlong(-1);
  wr.string("topic");
  wr.null_string();
  wr.compact_string("cs");
  wr.compact_null_string();
  const auto blob = bytes({1, 2, 3});
  wr.bytes(blob);
  wr.compact_bytes(blob);
  wr.array_length(2);
  wr.int32(7);
  wr.int32(8);
  wr.compact_array_length(1);
  wr.int16(9);
  wr.empty_tagged_fields();
}

// Reads write_sample's fields back; true if every one matched.
bool read_sample(w::Reader& rd) {
  bool ok = rd.int8() == -2 && rd.int16() == 0x1234 && rd.int32() == -5 &&
            rd.int64() == 0x0102030405060708 && rd.boolean() && rd.uvarint() == 300 &&
            rd.varint() == -3 && rd.varlong() == -1 && rd.string() == "topic";
  bool null = false;
  ok = ok && rd.string(&null).empty() && null;
  ok = ok && rd.compact_string(&null) == "cs" && !null;
  ok = ok && rd.compact_string(&null).empty() && null;
  ok = ok && rd.bytes().size() == 3 && rd.compact_bytes().size() == 3;
  ok = ok && rd.array_length(4) == 2 && rd.int32() == 7 && rd.int32() == 8;
  ok = ok && rd.compact_array_length(2) == 1 && rd.int16() == 9;
  rd.skip_tagged_fields();
  return ok && rd.ok() && rd.remaining() == 0;
}

TEST(Codec, PrimitivesHaveTheProtocolsEncoding) {
  std::array<std::byte, 64> buf{};
  w::Writer wr(buf);
  wr.int16(0x1234);
  wr.string("ab");
  wr.null_string();
  wr.compact_string("ab");
  wr.compact_null_string();
  wr.compact_array_length(0);
  wr.array_length(-1);
  wr.empty_tagged_fields();
  ASSERT_TRUE(wr.ok());
  EXPECT_EQ(written(wr), bytes({0x12, 0x34, 0x00, 0x02, 'a', 'b', 0xff, 0xff, 0x03, 'a', 'b',
                                0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00}));
}

TEST(Codec, RoundTripsEveryPrimitive) {
  std::array<std::byte, 256> buf{};
  w::Writer wr(buf);
  write_sample(wr);
  ASSERT_TRUE(wr.ok());
  w::Reader rd(wr.written());
  EXPECT_TRUE(read_sample(rd));
}

TEST(Codec, WriterStopsAtTheEndOfItsSpanAndStaysFailed) {
  std::array<std::byte, 256> big{};
  w::Writer full(big);
  write_sample(full);
  const std::size_t need = full.position();
  for (std::size_t cap = 0; cap < need; ++cap) {
    std::vector<std::byte> buf(cap + 8, std::byte{0xee});
    w::Writer wr(std::span<std::byte>(buf).first(cap));
    write_sample(wr);
    EXPECT_FALSE(wr.ok()) << cap;
    EXPECT_LE(wr.position(), cap);
    for (std::size_t i = cap; i < buf.size(); ++i) ASSERT_EQ(buf[i], std::byte{0xee}) << cap;
  }
}

// Every truncation of a valid message fails cleanly: no read past the end
// (AddressSanitizer watches the heap copy), no success.
TEST(Codec, ReaderRejectsEveryTruncation) {
  std::array<std::byte, 256> buf{};
  w::Writer wr(buf);
  write_sample(wr);
  const auto whole = wr.written();
  for (std::size_t len = 0; len < whole.size(); ++len) {
    std::vector<std::byte> copy(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len));
    w::Reader rd(copy);
    EXPECT_FALSE(read_sample(rd)) << len;
    EXPECT_FALSE(rd.ok()) << len;
  }
}

TEST(Codec, ReaderRejectsImpossibleLengthsAndCounts) {
  {  // A string longer than what is left.
    const auto in = bytes({0x00, 0x05, 'a', 'b'});
    w::Reader rd(in);
    EXPECT_TRUE(rd.string().empty());
    EXPECT_FALSE(rd.ok());
  }
  {  // A negative length other than -1.
    const auto in = bytes({0xff, 0xfe, 'a'});
    w::Reader rd(in);
    (void)rd.string();
    EXPECT_FALSE(rd.ok());
  }
  {  // BYTES of length -7.
    const auto in = bytes({0xff, 0xff, 0xff, 0xf9});
    w::Reader rd(in);
    (void)rd.bytes();
    EXPECT_FALSE(rd.ok());
  }
  {  // An array of two billion int32 elements in an 8-byte input.
    const auto in = bytes({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0});
    w::Reader rd(in);
    EXPECT_EQ(rd.array_length(4), 0);
    EXPECT_FALSE(rd.ok());
  }
  {  // A compact array whose count needs more bytes than remain.
    const auto in = bytes({0x05, 0, 0});
    w::Reader rd(in);
    EXPECT_EQ(rd.compact_array_length(1), 0);
    EXPECT_FALSE(rd.ok());
  }
  {  // A null array is fine.
    const auto in = bytes({0xff, 0xff, 0xff, 0xff});
    w::Reader rd(in);
    EXPECT_EQ(rd.array_length(), -1);
    EXPECT_TRUE(rd.ok());
  }
  {  // A tagged field whose size runs past the end.
    const auto in = bytes({0x01, 0x00, 0x09, 'x'});
    w::Reader rd(in);
    rd.skip_tagged_fields();
    EXPECT_FALSE(rd.ok());
  }
  {  // Unknown tagged fields are skipped.
    const auto in = bytes({0x02, 0x00, 0x01, 'x', 0x05, 0x01, 0x2a});
    w::Reader rd(in);
    rd.skip_tagged_fields();
    EXPECT_TRUE(rd.ok());
    EXPECT_EQ(rd.remaining(), 0U);
    EXPECT_EQ(rd.int8(), 0);
    EXPECT_FALSE(rd.ok()) << "reading past the end fails";
  }
}

}  // namespace
