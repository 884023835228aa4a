// SCRAM's client side against RFC 7677's SCRAM-SHA-256 exchange, and a
// SCRAM-SHA-512 exchange computed independently with Python's hashlib and
// hmac (which reproduce RFC 7677's vector byte for byte), then every
// refusal the state machine owes.
#include "sasl/scram.h"

#include <gtest/gtest.h>

namespace {

using ringkafka::sasl::ScramClient;
using ringkafka::sasl::ScramHash;
using State = ScramClient::State;

constexpr const char* kServerFirst256 =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

TEST(SaslScram, Rfc7677Sha256ExchangeByteForByte) {
  ScramClient c(ScramHash::kSha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  const auto first = c.client_first();
  ASSERT_TRUE(first.ok) << first.text;
  EXPECT_EQ(first.text, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const auto final_message = c.on_server_first(kServerFirst256);
  ASSERT_TRUE(final_message.ok) << final_message.text;
  EXPECT_EQ(final_message.text,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  const auto done = c.on_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_TRUE(done.ok) << done.text;
  EXPECT_EQ(c.state(), State::kDone);
}

TEST(SaslScram, Sha512ExchangeMatchesAnIndependentComputation) {
  ScramClient c(ScramHash::kSha512, "alice", "alice-secret", "fyko+d2lbbFgONRv9qkxdawL");
  ASSERT_TRUE(c.client_first().ok);
  const auto final_message =
      c.on_server_first("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096");
  ASSERT_TRUE(final_message.ok) << final_message.text;
  EXPECT_EQ(final_message.text,
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
            "p=0eJWNsjwKE57CnG3Y3F0j0R878IhiVME7lCPOAQCAaWPmyG5U0rYj97bR1fy0CO/"
            "tKkhVsbtMXYafNCsxUbPIA==");
  EXPECT_TRUE(c.on_server_final("v=BV38XWrAjRQ3k7uQ8/+CMb9yC76900pt4gC/IVYbX3RKcVN9TN7A61yHvv3wN6FAnv7"
                                "HpM8fo4xeJ4MxWWKtTg==")
                  .ok);
}

TEST(SaslScram, TheUserNameIsEscaped) {
  ScramClient c(ScramHash::kSha256, "a=b,c", "pw", "nonce");
  EXPECT_EQ(c.client_first().text, "n,,n=a=3Db=2Cc,r=nonce");
}

// Each refusal names its reason and leaves the exchange failed.
TEST(SaslScram, RefusesWhatTheRfcRefuses) {
  struct Case {
    const char* server_first;
    const char* reason;
  } cases[] = {
      {"r=someone-elses-nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not start with ours"},
      {"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "does not start with ours"},
      {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1024", "fewer than the 4096"},
      {"r=rOprNGfwEbeRWgbNEkqOxyz,s=not*base64,i=4096", "salt is not base64"},
      {"r=rOprNGfwEbeRWgbNEkqOxyz,i=4096", "lacks r, s or i"},
      {"r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=40x6", "not a number"},
      {"m=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "extension"},
      {"e=unknown-user", "the server refused: unknown-user"},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.server_first);
    ScramClient c(ScramHash::kSha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    ASSERT_TRUE(c.client_first().ok);
    const auto r = c.on_server_first(k.server_first);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.text.find(k.reason), std::string::npos) << r.text;
    EXPECT_EQ(c.state(), State::kFailed);
  }
}

// A wrong server signature (a server that does not know the password) is
// refused, as is the server's error and a message out of turn.
TEST(SaslScram, TheServersSignatureMustMatch) {
  for (const char* final_message :
       {"v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",
        "e=invalid-proof", "x=1"}) {
    SCOPED_TRACE(final_message);
    ScramClient c(ScramHash::kSha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    ASSERT_TRUE(c.client_first().ok);
    ASSERT_TRUE(c.on_server_first(kServerFirst256).ok);
    EXPECT_FALSE(c.on_server_final(final_message).ok);
    EXPECT_EQ(c.state(), State::kFailed);
  }
  ScramClient early(ScramHash::kSha256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
  EXPECT_FALSE(early.on_server_first(kServerFirst256).ok);
  EXPECT_FALSE(early.client_first().ok);  // failed stays failed
}

TEST(SaslScram, NoncesAreFreshAndPrintable) {
  const std::string a = ringkafka::sasl::scram_nonce();
  const std::string b = ringkafka::sasl::scram_nonce();
  EXPECT_EQ(a.size(), 32U);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find(','), std::string::npos);
}

}  // namespace
