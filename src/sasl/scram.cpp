#include "sasl/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <optional>
#include <vector>

#include "sasl/base64.h"

namespace ringkafka::sasl {
namespace {

using Bytes = std::vector<unsigned char>;

const EVP_MD* digest(ScramHash h) noexcept { return h == ScramHash::kSha256 ? EVP_sha256() : EVP_sha512(); }

Bytes hmac(ScramHash h, const Bytes& key, std::string_view data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  if (HMAC(digest(h), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &n) == nullptr) {
    return {};
  }
  out.resize(n);
  return out;
}

Bytes hash(ScramHash h, const Bytes& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, digest(h), nullptr) != 1) return {};
  out.resize(n);
  return out;
}

// The value of attribute `name` ("r" of "r=..."), among a message's
// comma-separated attributes; nullopt if absent.
std::optional<std::string_view> attribute(std::string_view message, char name) {
  while (!message.empty()) {
    const std::size_t comma = message.find(',');
    const std::string_view a = message.substr(0, comma);
    if (a.size() >= 2 && a[0] == name && a[1] == '=') return a.substr(2);
    if (comma == std::string_view::npos) break;
    message.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

// RFC 5802's saslname: '=' and ',' escaped.
std::string escape_user(std::string_view user) {
  std::string out;
  for (const char c : user) {
    if (c == '=') {
      out += "=3D";
    } else if (c == ',') {
      out += "=2C";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view mechanism_name(ScramHash h) noexcept {
  return h == ScramHash::kSha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

std::string scram_nonce() {
  Bytes raw(24);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) return {};
  return base64(raw);
}

ScramClient::ScramClient(ScramHash hash, std::string_view user, std::string_view password,
                         std::string_view client_nonce)
    : hash_(hash), user_(user), password_(password), nonce_(client_nonce) {}

ScramClient::Step ScramClient::fail(std::string why) {
  state_ = State::kFailed;
  return {false, std::move(why)};
}

ScramClient::Step ScramClient::client_first() {
  if (state_ != State::kStart) return fail("SCRAM: the first message was already sent");
  if (nonce_.empty() || nonce_.find(',') != std::string::npos) return fail("SCRAM: no usable client nonce");
  client_first_bare_ = "n=" + escape_user(user_) + ",r=" + nonce_;
  state_ = State::kSentFirst;
  return {true, "n,," + client_first_bare_};
}

ScramClient::Step ScramClient::on_server_first(std::string_view message) {
  if (state_ != State::kSentFirst) return fail("SCRAM: a server-first message out of turn");
  if (const auto e = attribute(message, 'e')) {
    return fail("SCRAM: the server refused: " + std::string(*e));
  }
  if (message.substr(0, 2) == "m=") return fail("SCRAM: the server asks for an extension we do not know");
  const auto r = attribute(message, 'r');
  const auto s = attribute(message, 's');
  const auto i = attribute(message, 'i');
  if (!r || !s || !i) return fail("SCRAM: the server's first message lacks r, s or i");
  // The server's nonce must extend ours: anything else is a replay or a
  // man in the middle.
  if (r->size() <= nonce_.size() || r->substr(0, nonce_.size()) != nonce_) {
    return fail("SCRAM: the server's nonce does not start with ours");
  }
  const auto salt = unbase64(*s);
  if (!salt || salt->empty()) return fail("SCRAM: the server's salt is not base64");
  long iterations = 0;
  for (const char c : *i) {
    if (c < '0' || c > '9' || iterations > 100'000'000) return fail("SCRAM: the iteration count is not a number");
    iterations = iterations * 10 + (c - '0');
  }
  if (iterations < 4096) {
    return fail("SCRAM: the server asks for " + std::to_string(iterations) +
                " iterations, fewer than the 4096 Kafka requires");
  }
  const std::size_t n = static_cast<std::size_t>(EVP_MD_get_size(digest(hash_)));
  Bytes salted(n);
  if (PKCS5_PBKDF2_HMAC(password_.data(), static_cast<int>(password_.size()), salt->data(),
                        static_cast<int>(salt->size()), static_cast<int>(iterations), digest(hash_),
                        static_cast<int>(n), salted.data()) != 1) {
    return fail("SCRAM: PBKDF2 failed");
  }
  const Bytes client_key = hmac(hash_, salted, "Client Key");
  const Bytes stored_key = hash(hash_, client_key);
  const std::string without_proof = "c=biws,r=" + std::string(*r);
  const std::string auth_message =
      client_first_bare_ + "," + std::string(message) + "," + without_proof;
  const Bytes signature = hmac(hash_, stored_key, auth_message);
  if (client_key.size() != n || signature.size() != n) return fail("SCRAM: HMAC failed");
  Bytes proof(n);
  for (std::size_t k = 0; k < n; ++k) proof[k] = client_key[k] ^ signature[k];
  const Bytes server_key = hmac(hash_, salted, "Server Key");
  const Bytes server_signature = hmac(hash_, server_key, auth_message);
  server_signature_.assign(server_signature.begin(), server_signature.end());
  OPENSSL_cleanse(salted.data(), salted.size());
  state_ = State::kSentFinal;
  return {true, without_proof + ",p=" + base64(proof)};
}

ScramClient::Step ScramClient::on_server_final(std::string_view message) {
  if (state_ != State::kSentFinal) return fail("SCRAM: a server-final message out of turn");
  if (const auto e = attribute(message, 'e')) {
    return fail("SCRAM: the server refused: " + std::string(*e));
  }
  const auto v = attribute(message, 'v');
  const auto got = v ? unbase64(*v) : std::nullopt;
  if (!got) return fail("SCRAM: the server's final message has no signature");
  // Constant time: how much of a forged signature matched must not show.
  if (got->size() != server_signature_.size() ||
      CRYPTO_memcmp(got->data(), server_signature_.data(), got->size()) != 0) {
    return fail("SCRAM: the server's signature does not match: it does not know the password");
  }
  state_ = State::kDone;
  return {true, {}};
}

}  // namespace ringkafka::sasl
