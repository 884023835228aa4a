// The TLS configuration a producer's connections share: one OpenSSL
// SSL_CTX made from ssl.* when the producer is made, so that an unreadable
// file, a key that does not open with ssl.key.password or a certificate
// that does not match its key fails create() with a message naming the key
// and the file, never a connection later.
//
// Verification (docs/security.md): the broker's chain against ssl.ca.* (or
// the system's store), then its name (session.h) unless
// ssl.endpoint.identification.algorithm=none; TLS 1.2 and 1.3 as
// ssl.enabled.protocols allows.  Made on the application's thread in
// create(), then used by the sender thread only.
#pragma once

#include <memory>
#include <string>

#include "config/security.h"
#include "ringkafka/error.h"

using SSL_CTX = struct ssl_ctx_st;

namespace ringkafka::tls {

class Context {
 public:
  // kInvalidConfig, naming the key and OpenSSL's reason, when ssl.* does
  // not make a usable context.
  static Result<std::shared_ptr<Context>> make(const config::TlsSettings& settings);

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  [[nodiscard]] SSL_CTX* get() const noexcept { return ctx_; }
  [[nodiscard]] const config::TlsSettings& settings() const noexcept { return settings_; }

 private:
  Context(SSL_CTX* ctx, const config::TlsSettings& settings) : ctx_(ctx), settings_(settings) {}
  SSL_CTX* ctx_;
  config::TlsSettings settings_;
};

// OpenSSL's queued errors as one line ("reason; reason"), and the queue
// cleared; `fallback` when it is empty.
[[nodiscard]] std::string openssl_errors(const char* fallback);

}  // namespace ringkafka::tls
