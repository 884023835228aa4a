#include "tls/session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>

namespace ringkafka::tls {
namespace {

bool is_ip_literal(const std::string& host) {
  in6_addr a6{};
  in_addr a4{};
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// The names a certificate carries (DNS and IP SANs), for a mismatch's
// message: the default flip to hostname checks is where users need it.
std::string names_of(X509* cert) {
  if (cert == nullptr) return "no certificate";
  std::string out;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    std::string one;
    if (n->type == GEN_DNS) {
      one = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                                 static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName)));
    } else if (n->type == GEN_IPADD) {
      const int len = ASN1_STRING_length(n->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(n->d.iPAddress), text, sizeof text);
      one = "IP:" + std::string(text);
    }
    if (one.empty()) continue;
    if (!out.empty()) out += ", ";
    out += one;
  }
  GENERAL_NAMES_free(sans);
  if (out.empty()) {
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    out = std::string("no SAN; CN=") + cn;
  }
  return out;
}

// Keeps the names of a leaf certificate whose name check failed: once the
// handshake has failed OpenSSL no longer hands out the peer's certificate.
int verify_callback(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return ok;
  const int err = X509_STORE_CTX_get_error(store);
  if (err != X509_V_ERR_HOSTNAME_MISMATCH && err != X509_V_ERR_IP_ADDRESS_MISMATCH) return ok;
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* names = ssl != nullptr ? static_cast<std::string*>(SSL_get_ex_data(ssl, 0)) : nullptr;
  if (names != nullptr) *names = names_of(X509_STORE_CTX_get_current_cert(store));
  return ok;
}

}  // namespace

bool Session::open(const Context& ctx, std::string_view host) {
  close();
  error_.clear();
  established_ = false;
  eof_ = false;
  host_ = std::string(host);
  if (!host_.empty() && host_.back() == '.') host_.pop_back();
  ssl_ = SSL_new(ctx.get());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    in_ = out_ = nullptr;
    close();
    error_ = "TLS: " + openssl_errors("out of memory");
    return false;
  }
  // An empty input BIO means "wait for more", not end of stream.
  (void)BIO_ctrl(in_, BIO_C_SET_BUF_MEM_EOF_RETURN, -1, nullptr);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_connect_state(ssl_);
  // SNI names hosts, never addresses (RFC 6066 section 3).
  const bool ip = is_ip_literal(host_);
  if (!ip) {
    (void)SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(host_.c_str()));
  }
  verify_host_ = ctx.settings().verify_certificate && ctx.settings().verify_hostname;
  peer_names_.clear();
  (void)SSL_set_ex_data(ssl_, 0, &peer_names_);
  if (verify_host_) SSL_set_verify(ssl_, SSL_VERIFY_PEER, verify_callback);
  if (verify_host_ && SSL_set1_host(ssl_, host_.c_str()) != 1) {
    error_ = "TLS: cannot check the name " + host_ + ": " + openssl_errors("SSL_set1_host failed");
    close();
    return false;
  }
  return true;
}

void Session::close() noexcept {
  if (ssl_ != nullptr) SSL_free(ssl_);  // frees both BIOs
  ssl_ = nullptr;
  in_ = out_ = nullptr;
  established_ = false;
}

void Session::set_error(int ssl_error, const char* doing) {
  const long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK && !established_) {
    error_ = std::string("TLS: the broker's certificate failed verification: ") +
             X509_verify_cert_error_string(verify);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      error_ += " (connected to " + host_ + "; the certificate names " +
                (peer_names_.empty() ? std::string("other hosts") : peer_names_) +
                "; ssl.endpoint.identification.algorithm=none turns the check off)";
    } else if (verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
               verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
               verify == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
      error_ += " (is the broker's CA in ssl.ca.location?)";
    }
    ERR_clear_error();
    return;
  }
  if (ssl_error == SSL_ERROR_ZERO_RETURN && established_) {
    error_ = "TLS: the broker closed the connection";
    return;
  }
  std::string reason = openssl_errors("");
  if (reason.empty() && (eof_ || ssl_error == SSL_ERROR_ZERO_RETURN)) {
    error_ = established_ ? "TLS: the broker closed the connection"
                          : "TLS: the broker closed the connection during the handshake (not a "
                            "TLS listener, or it refused the client?)";
    return;
  }
  if (reason.empty()) reason = "SSL error " + std::to_string(ssl_error);
  error_ = std::string("TLS ") + doing + ": " + reason;
  if (reason.find("certificate required") != std::string::npos ||
      reason.find("bad certificate") != std::string::npos ||
      reason.find("handshake failure") != std::string::npos) {
    error_ += " (the broker wants a client certificate it trusts: ssl.certificate.location, "
              "ssl.key.location)";
  } else if (reason.find("wrong version number") != std::string::npos ||
             reason.find("packet length too long") != std::string::npos ||
             reason.find("record layer failure") != std::string::npos) {
    error_ += " (not a TLS listener?)";
  }
}

Session::Status Session::handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    established_ = true;
    return Status::kDone;
  }
  const int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_READ && !eof_) return Status::kWantRead;
  set_error(e, "handshake");
  return Status::kFailed;
}

bool Session::write(std::span<const std::byte> plaintext) {
  ERR_clear_error();
  std::size_t done = 0;
  while (done < plaintext.size()) {
    const std::size_t n = std::min<std::size_t>(plaintext.size() - done, INT_MAX);
    const int rc = SSL_write(ssl_, plaintext.data() + done, static_cast<int>(n));
    if (rc <= 0) {
      set_error(SSL_get_error(ssl_, rc), "write");
      return false;
    }
    done += static_cast<std::size_t>(rc);
  }
  return true;
}

void Session::feed(std::span<const std::byte> ciphertext) {
  if (!ciphertext.empty()) (void)BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

void Session::feed_eof() noexcept {
  eof_ = true;
  (void)BIO_ctrl(in_, BIO_C_SET_BUF_MEM_EOF_RETURN, 0, nullptr);
}

int Session::read(std::span<std::byte> into) {
  ERR_clear_error();
  const int n = std::min<int>(static_cast<int>(std::min<std::size_t>(into.size(), INT_MAX)), INT_MAX);
  const int rc = SSL_read(ssl_, into.data(), n);
  if (rc > 0) return rc;
  const int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_READ && !eof_) return 0;
  set_error(e, "read");
  return -1;
}

bool Session::buffered() const noexcept {
  return ssl_ != nullptr && (SSL_pending(ssl_) > 0 || BIO_ctrl_pending(in_) > 0);
}

bool Session::has_output() const noexcept { return out_ != nullptr && BIO_ctrl_pending(out_) > 0; }

std::size_t Session::take_output(std::vector<std::byte>& out) {
  const std::size_t n = BIO_ctrl_pending(out_);
  if (n == 0) return 0;
  const std::size_t at = out.size();
  out.resize(at + n);
  const int got = BIO_read(out_, out.data() + at, static_cast<int>(n));
  out.resize(at + static_cast<std::size_t>(got > 0 ? got : 0));
  return out.size() - at;
}

std::string Session::describe() const {
  if (ssl_ == nullptr) return "not open";
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

}  // namespace ringkafka::tls
