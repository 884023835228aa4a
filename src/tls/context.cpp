#include "tls/context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

namespace ringkafka::tls {
namespace {

Error invalid(std::string_view key, std::string_view value, std::string why) {
  std::string m(key);
  if (!value.empty()) {
    m += " \"";
    m += value;
    m += "\"";
  }
  m += ": ";
  m += why;
  return {Errc::kInvalidConfig, std::move(m)};
}

// ssl.key.password, handed to OpenSSL when it decrypts the key.
int password_callback(char* buf, int size, int, void* user) {
  const auto* password = static_cast<const std::string*>(user);
  if (password == nullptr || password->empty() || size <= 0) return 0;
  const int n = std::min<int>(size, static_cast<int>(password->size()));
  std::memcpy(buf, password->data(), static_cast<std::size_t>(n));
  return n;
}

bool readable(const std::string& path, std::string& why) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    why = std::strerror(errno);
    return false;
  }
  return true;
}

// The PEM text's certificates into the context's trust store.
bool add_ca_pem(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    added += X509_STORE_add_cert(store, cert) == 1 ? 1 : 0;
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();  // the read that found no more PEM
  return added > 0;
}

std::optional<Error> load_certificate(SSL_CTX* ctx, const config::TlsSettings& s) {
  if (!s.certificate_location.empty()) {
    std::string why;
    if (!readable(s.certificate_location, why)) {
      return invalid("ssl.certificate.location", s.certificate_location, why);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, s.certificate_location.c_str()) != 1) {
      return invalid("ssl.certificate.location", s.certificate_location,
                     openssl_errors("not a PEM certificate"));
    }
  } else if (!s.certificate_pem.empty()) {
    BIO* bio = BIO_new_mem_buf(s.certificate_pem.data(), static_cast<int>(s.certificate_pem.size()));
    X509* cert = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
    const bool ok = cert != nullptr && SSL_CTX_use_certificate(ctx, cert) == 1;
    // The rest of the chain, if the text has it.
    while (ok) {
      X509* more = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      if (more == nullptr) break;
      if (SSL_CTX_ctrl(ctx, SSL_CTRL_CHAIN_CERT, 0, more) != 1) X509_free(more);
    }
    X509_free(cert);
    BIO_free(bio);
    ERR_clear_error();
    if (!ok) return invalid("ssl.certificate.pem", "", "not a PEM certificate");
  } else {
    return std::nullopt;
  }
  EVP_PKEY* key = nullptr;
  std::string key_name = s.key_location.empty() ? "ssl.key.pem" : "ssl.key.location";
  BIO* bio = s.key_location.empty()
                 ? BIO_new_mem_buf(s.key_pem.data(), static_cast<int>(s.key_pem.size()))
                 : BIO_new_file(s.key_location.c_str(), "r");
  if (bio == nullptr) {
    std::string why = std::strerror(errno);
    ERR_clear_error();
    return invalid(key_name, s.key_location, why);
  }
  key = PEM_read_bio_PrivateKey(bio, nullptr, password_callback,
                                const_cast<std::string*>(&s.key_password));
  BIO_free(bio);
  if (key == nullptr) {
    const std::string reason = openssl_errors("not a PEM private key");
    const bool encrypted = reason.find("bad decrypt") != std::string::npos ||
                           reason.find("interrupted or cancelled") != std::string::npos ||
                           reason.find("decrypt") != std::string::npos;
    if (encrypted) {
      return invalid(key_name, s.key_location,
                     s.key_password.empty()
                         ? "the key is encrypted and ssl.key.password is not set"
                         : "ssl.key.password does not decrypt the key (" + reason + ")");
    }
    return invalid(key_name, s.key_location, reason);
  }
  const bool used = SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  if (!used || SSL_CTX_check_private_key(ctx) != 1) {
    return invalid(key_name, s.key_location,
                   "does not match the certificate (" + openssl_errors("key mismatch") + ")");
  }
  return std::nullopt;
}

std::optional<Error> set_ciphers(SSL_CTX* ctx, const std::string& list) {
  // One list in librdkafka's and Java's key; OpenSSL keeps TLS 1.3's
  // suites (TLS_*) apart from the older ciphers.
  std::string v13;
  std::string v12;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find_first_of(":, ", start);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(start, end - start);
    if (!name.empty()) {
      std::string& to = name.rfind("TLS_", 0) == 0 ? v13 : v12;
      if (!to.empty()) to += ':';
      to += name;
    }
    start = end + 1;
  }
  if (!v13.empty() && SSL_CTX_set_ciphersuites(ctx, v13.c_str()) != 1) {
    return invalid("ssl.cipher.suites", v13, openssl_errors("no TLS 1.3 suite OpenSSL knows"));
  }
  if (!v12.empty() && SSL_CTX_set_cipher_list(ctx, v12.c_str()) != 1) {
    return invalid("ssl.cipher.suites", v12, openssl_errors("no cipher OpenSSL knows"));
  }
  return std::nullopt;
}

}  // namespace

std::string openssl_errors(const char* fallback) {
  std::string out;
  char buf[256];
  while (const unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof buf);
    // "error:0A000086:SSL routines::certificate verify failed": the reason
    // is what follows the last colon but one.
    std::string_view text(buf);
    const auto colons = text.find("::");
    if (colons != std::string_view::npos) text = text.substr(colons + 2);
    if (out.find(text) != std::string::npos) continue;  // the same reason, once
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? std::string(fallback) : out;
}

Result<std::shared_ptr<Context>> Context::make(const config::TlsSettings& s) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Error{Errc::kResource, "TLS: " + openssl_errors("SSL_CTX_new failed")};
  std::shared_ptr<Context> out(new Context(ctx, s));
  // The functions behind OpenSSL's macros, which cast in C's way.
  (void)SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, s.tls12 ? TLS1_2_VERSION : TLS1_3_VERSION,
                     nullptr);
  (void)SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, s.tls13 ? TLS1_3_VERSION : TLS1_2_VERSION,
                     nullptr);
  // A broker closing without close_notify is a normal close (librdkafka
  // #4293); renegotiation is never needed by Kafka.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  // Whole frames are written at once into a memory BIO that grows: no
  // partial writes, and the buffer may move between calls.
  (void)SSL_CTX_ctrl(ctx, SSL_CTRL_MODE, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);
  if (!s.cipher_suites.empty()) {
    if (auto e = set_ciphers(ctx, s.cipher_suites)) return *std::move(e);
  }
  if (!s.ca_location.empty()) {
    std::string why;
    if (!readable(s.ca_location, why)) return invalid("ssl.ca.location", s.ca_location, why);
    struct stat st{};
    (void)::stat(s.ca_location.c_str(), &st);
    const bool dir = S_ISDIR(st.st_mode);
    if (SSL_CTX_load_verify_locations(ctx, dir ? nullptr : s.ca_location.c_str(),
                                      dir ? s.ca_location.c_str() : nullptr) != 1) {
      return invalid("ssl.ca.location", s.ca_location, openssl_errors("no PEM certificate in it"));
    }
  } else if (!s.ca_pem.empty()) {
    if (!add_ca_pem(ctx, s.ca_pem)) return invalid("ssl.ca.pem", "", "no PEM certificate in it");
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    ERR_clear_error();  // no system store: verification then fails, saying so
  }
  SSL_CTX_set_verify(ctx, s.verify_certificate ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (auto e = load_certificate(ctx, s)) return *std::move(e);
  return out;
}

Context::~Context() { SSL_CTX_free(ctx_); }

}  // namespace ringkafka::tls
