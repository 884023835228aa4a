// PLAIN's and OAUTHBEARER's client messages byte for byte, base64 both
// ways, and the unsecured JWT (expected values from Python's base64 and json).
#include "sasl/base64.h"
#include "sasl/mechanisms.h"

#include <gtest/gtest.h>

namespace {

namespace sasl = ringkafka::sasl;
using namespace std::string_literals;

TEST(SaslMechanisms, PlainIsNulUserNulPassword) {
  EXPECT_EQ(sasl::plain_message("alice", "alice-secret"), "\0alice\0alice-secret"s);
}

TEST(SaslMechanisms, OauthbearerInitialResponse) {
  std::string out, error;
  ASSERT_TRUE(sasl::oauthbearer_message("abc.def.", {}, out, error)) << error;
  EXPECT_EQ(out, "n,,\x01" "auth=Bearer abc.def.\x01\x01"s);
  ASSERT_TRUE(sasl::oauthbearer_message("t", {{"logicalCluster", "lkc-1"}, {"x", "a b"}}, out, error));
  EXPECT_EQ(out, "n,,\x01" "auth=Bearer t\x01logicalCluster=lkc-1\x01x=a b\x01\x01"s);
  for (const char* key : {"auth", "with-dash", ""}) {
    EXPECT_FALSE(sasl::oauthbearer_message("t", {{key, "v"}}, out, error)) << key;
    EXPECT_NE(error.find("letters only"), std::string::npos) << error;
  }
  EXPECT_FALSE(sasl::oauthbearer_message("t", {{"k", "a\x01" "b"}}, out, error));
  EXPECT_EQ(sasl::oauthbearer_error_reply(), "\x01");
}

TEST(SaslMechanisms, Base64urlHasNoPaddingAndTheUrlAlphabet) {
  EXPECT_EQ(sasl::base64url("f"), "Zg");
  EXPECT_EQ(sasl::base64url("fo"), "Zm8");
  EXPECT_EQ(sasl::base64url("foo"), "Zm9v");
  EXPECT_EQ(sasl::base64url("\xfb\xff"), "-_8");
  EXPECT_EQ(sasl::base64url(""), "");
}

TEST(SaslMechanisms, Base64IsStrictWhenItReads) {
  const auto foo = sasl::unbase64("Zm9v");
  ASSERT_TRUE(foo);
  EXPECT_EQ(std::string(foo->begin(), foo->end()), "foo");
  const auto fo = sasl::unbase64("Zm8=");
  ASSERT_TRUE(fo);
  EXPECT_EQ(fo->size(), 2U);
  for (const char* bad : {"", "Zm9", "Zm9*", "Z=9v"}) EXPECT_FALSE(sasl::unbase64(bad)) << bad;
  const unsigned char raw[] = {0xfb, 0xff};
  EXPECT_EQ(sasl::base64(raw), "+/8=");
}

TEST(SaslMechanisms, UnsecuredJwtAsKafkasValidatorReadsIt) {
  EXPECT_EQ(sasl::unsecured_jwt("alice", 1700000000, 3600),
            "eyJhbGciOiJub25lIn0."
            "eyJzdWIiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.");
  // A quote in the subject stays inside its JSON string; the scope claim.
  EXPECT_EQ(sasl::unsecured_jwt("a\"b", 0, 60, "produce"),
            "eyJhbGciOiJub25lIn0."
            "eyJzdWIiOiJhXCJiIiwiaWF0IjowLCJleHAiOjYwLCJzY29wZSI6InByb2R1Y2UifQ.");
}

}  // namespace
