// tls/session.h and tls/context.h without a network: a client Session
// against an OpenSSL server in memory, with a CA and certificates made
// here, and the failures a user meets (a wrong name, an untrusted chain, a
// peer that speaks no TLS); then the kTLS probe.
#include "tls/session.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tls/transport.h"

namespace {

namespace rt = ringkafka::tls;
namespace rc = ringkafka::config;

EVP_PKEY* new_key() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); }

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* new_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
               const char* san, long days) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), days * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : cert;
  if (san == nullptr) {
    add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
  } else {
    add_ext(cert, signer, NID_subject_alt_name, san);
  }
  X509_sign(cert, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

std::string pem_of(X509* cert) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return out;
}

// A CA and a server certificate for `san`, and the server's SSL_CTX.
struct Pki {
  EVP_PKEY* ca_key = new_key();
  X509* ca = new_cert(ca_key, "test CA", nullptr, nullptr, nullptr, 30);
  EVP_PKEY* server_key = new_key();
  X509* server;
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());

  explicit Pki(const char* san = "DNS:localhost,IP:127.0.0.1")
      : server(new_cert(server_key, "broker", ca, ca_key, san, 30)) {
    SSL_CTX_use_certificate(server_ctx, server);
    SSL_CTX_use_PrivateKey(server_ctx, server_key);
  }
  ~Pki() {
    SSL_CTX_free(server_ctx);
    X509_free(server);
    EVP_PKEY_free(server_key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
  }
};

// The server's side: an SSL over two memory BIOs, pumped by hand.
struct Server {
  SSL* ssl;
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  explicit Server(SSL_CTX* ctx) : ssl(SSL_new(ctx)) {
    SSL_set_bio(ssl, in, out);
    SSL_set_accept_state(ssl);
  }
  ~Server() { SSL_free(ssl); }
  std::vector<std::byte> take() {
    std::vector<std::byte> v(BIO_ctrl_pending(out));
    if (!v.empty()) BIO_read(out, v.data(), static_cast<int>(v.size()));
    return v;
  }
};

rt::Session::Status handshake(rt::Session& c, Server& s) {
  rt::Session::Status st = rt::Session::Status::kWantRead;
  for (int round = 0; round < 10 && st == rt::Session::Status::kWantRead; ++round) {
    st = c.handshake();
    std::vector<std::byte> to_server;
    (void)c.take_output(to_server);
    BIO_write(s.in, to_server.data(), static_cast<int>(to_server.size()));
    (void)SSL_do_handshake(s.ssl);
    c.feed(s.take());
  }
  return st == rt::Session::Status::kWantRead ? c.handshake() : st;
}

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
