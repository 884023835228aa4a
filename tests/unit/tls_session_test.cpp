// tls/session.h and tls/context.h without a network: a client Session
// against an OpenSSL server in memory, with a CA and certificates made
// here, and the failures a user meets (a wrong name, an untrusted chain, a
// peer that speaks no TLS); then the kTLS probe.
#include "tls/session.h"

#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tls/transport.h"
#include "tls_pki.h"

namespace {

namespace rt = ringkafka::tls;
namespace rc = ringkafka::config;
using ringkafka::testing::handshake;
using ringkafka::testing::pem_of;
using ringkafka::testing::Pki;
using ringkafka::testing::Server;

std::shared_ptr<rt::Context> context(const Pki& pki, rc::TlsSettings s = {}) {
  if (s.ca_pem.empty() && s.verify_certificate) s.ca_pem = pem_of(pki.ca);
  auto made = rt::Context::make(s);
  EXPECT_TRUE(made.ok()) << made.error().message;
  return made.ok() ? made.value() : nullptr;
}

void exchange(bool tls12) {
  Pki pki;
  rc::TlsSettings settings;
  settings.tls13 = !tls12;
  auto ctx = context(pki, settings);
  ASSERT_NE(ctx, nullptr);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "localhost")) << c.error();
  Server s(pki.server_ctx);
  ASSERT_EQ(handshake(c, s), rt::Session::Status::kDone) << c.error();
  EXPECT_TRUE(c.established());
  EXPECT_TRUE(c.describe().starts_with(tls12 ? "TLSv1.2" : "TLSv1.3")) << c.describe();

  // A frame larger than many records goes whole through one write().
  std::vector<std::byte> frame(1 << 20);
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::byte>(i * 7);
  ASSERT_TRUE(c.write(frame)) << c.error();
  std::vector<std::byte> wire;
  (void)c.take_output(wire);
  EXPECT_GT(wire.size(), frame.size());  // record headers and tags
  EXPECT_LT(wire.size(), frame.size() + frame.size() / 100);  // 16 KiB records
  BIO_write(s.in, wire.data(), static_cast<int>(wire.size()));
  std::vector<std::byte> got(frame.size());
  std::size_t n = 0;
  while (n < got.size()) {
    const int r = SSL_read(s.ssl, got.data() + n, static_cast<int>(got.size() - n));
    ASSERT_GT(r, 0);
    n += static_cast<std::size_t>(r);
  }
  EXPECT_EQ(got, frame);

  // The server's answer, fed a byte at a time: read() waits (0) until a
  // whole record is in, then gives it.
  const std::string answer = "a Kafka response";
  ASSERT_GT(SSL_write(s.ssl, answer.data(), static_cast<int>(answer.size())), 0);
  const auto bytes = s.take();
  std::string read;
  std::vector<std::byte> into(64);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    c.feed(std::span(bytes).subspan(i, 1));
    const int r = c.read(into);
    ASSERT_GE(r, 0) << c.error();
    read.append(reinterpret_cast<const char*>(into.data()), static_cast<std::size_t>(r));
  }
  EXPECT_EQ(read, answer);
  EXPECT_FALSE(c.buffered());
}

TEST(TlsSession, Tls13FramesBothWays) { exchange(false); }
TEST(TlsSession, Tls12FramesBothWays) { exchange(true); }

TEST(TlsSession, IpAddressIsCheckedAgainstIpSans) {
  Pki pki;
  auto ctx = context(pki);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "127.0.0.1"));
  Server s(pki.server_ctx);
  EXPECT_EQ(handshake(c, s), rt::Session::Status::kDone) << c.error();
}

TEST(TlsSession, AWrongNameSaysWhichNamesTheCertificateHas) {
  Pki pki("DNS:otherhost");
  auto ctx = context(pki);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "localhost"));
  Server s(pki.server_ctx);
  EXPECT_EQ(handshake(c, s), rt::Session::Status::kFailed);
  EXPECT_NE(c.error().find("hostname mismatch (connected to localhost; the certificate names "
                           "DNS:otherhost; ssl.endpoint.identification.algorithm=none"),
            std::string::npos)
      << c.error();
}

TEST(TlsSession, TheNameCheckOffStillVerifiesTheChain) {
  Pki pki("DNS:otherhost");
  rc::TlsSettings no_name;
  no_name.verify_hostname = false;
  auto ctx = context(pki, no_name);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "localhost"));
  Server s(pki.server_ctx);
  EXPECT_EQ(handshake(c, s), rt::Session::Status::kDone) << c.error();

  Pki other;  // a chain our CA did not sign
  rt::Session c2;
  ASSERT_TRUE(c2.open(*ctx, "localhost"));
  Server s2(other.server_ctx);
  EXPECT_EQ(handshake(c2, s2), rt::Session::Status::kFailed);
  EXPECT_NE(c2.error().find("failed verification"), std::string::npos) << c2.error();
}

TEST(TlsSession, APeerThatClosesDuringTheHandshakeIsNoTlsListener) {
  Pki pki;
  auto ctx = context(pki);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "localhost"));
  EXPECT_EQ(c.handshake(), rt::Session::Status::kWantRead);
  c.feed_eof();
  EXPECT_EQ(c.handshake(), rt::Session::Status::kFailed);
  EXPECT_NE(c.error().find("not a TLS listener"), std::string::npos) << c.error();
}

TEST(TlsSession, GarbageFromThePeerFailsCleanly) {
  Pki pki;
  auto ctx = context(pki);
  rt::Session c;
  ASSERT_TRUE(c.open(*ctx, "localhost"));
  (void)c.handshake();
  // What a Kafka broker's plaintext listener would answer: a frame size.
  const std::byte junk[] = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{8},
                            std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
  c.feed(junk);
  EXPECT_EQ(c.handshake(), rt::Session::Status::kFailed);
  EXPECT_FALSE(c.error().empty());
}

TEST(TlsContext, BadFilesNameTheKey) {
  rc::TlsSettings s;
  s.ca_location = "/nonexistent/ca.pem";
  auto made = rt::Context::make(s);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message, "ssl.ca.location \"/nonexistent/ca.pem\": No such file or directory");
  rc::TlsSettings pem;
  pem.ca_pem = "not PEM";
  made = rt::Context::make(pem);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message, "ssl.ca.pem: no PEM certificate in it");
  rc::TlsSettings ciphers;
  ciphers.cipher_suites = "NOT-A-CIPHER";
  made = rt::Context::make(ciphers);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("ssl.cipher.suites"), std::string::npos);
}

// Our kernels have no kernel TLS (CONFIG_TLS off): the probe must say so,
// and say why; where a kernel has it the probe finds it.
TEST(TlsKtls, ProbeAnswersAndSaysWhy) {
  std::string why;
  const bool available = rt::ktls_available(&why);
  EXPECT_FALSE(why.empty());
  if (available) {
    EXPECT_EQ(why, "the kernel attached the tls ULP");
  } else {
    EXPECT_NE(why.find("TCP_ULP"), std::string::npos) << why;
  }
  std::cout << "kTLS: " << (available ? "available" : "not available") << " (" << why << ")\n";
}

}  // namespace
