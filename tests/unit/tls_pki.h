// For the TLS tests (tls_session, the tls_record fuzz target): a CA and a
// server certificate made in memory, an OpenSSL server over memory BIOs,
// and a handshake pumped by hand between it and a client tls::Session.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstddef>
#include <string>
#include <vector>

#include "tls/session.h"

namespace ringkafka::testing {

namespace rt = ringkafka::tls;

inline EVP_PKEY* new_key() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); }

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return;  // the handshake then fails, saying why
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

inline X509* new_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
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

inline std::string pem_of(X509* cert) {
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

inline rt::Session::Status handshake(rt::Session& c, Server& s) {
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

}  // namespace ringkafka::testing
