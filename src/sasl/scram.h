// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the client's side
// of one exchange as Kafka speaks it (KIP-84: no channel binding, no
// SASLprep of the password, at least 4096 iterations).  An explicit state
// machine: each transition is a function of the server's message alone, and
// the client nonce is given, so tests can replay the RFC's vectors.  PBKDF2,
// HMAC and the hashes are OpenSSL's.
//
//   kStart --client_first()--> kSentFirst --on_server_first()--> kSentFinal
//     --on_server_final()--> kDone;   any refusal --> kFailed
//
// A control path (a connection's handshake): it may allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringkafka::sasl {

enum class ScramHash : std::uint8_t { kSha256, kSha512 };

// "SCRAM-SHA-256" or "SCRAM-SHA-512".
[[nodiscard]] std::string_view mechanism_name(ScramHash h) noexcept;

// A fresh client nonce: 24 random bytes (OpenSSL's RAND_bytes), base64; empty
// if the random generator fails.
[[nodiscard]] std::string scram_nonce();

class ScramClient {
 public:
  enum class State : std::uint8_t { kStart, kSentFirst, kSentFinal, kDone, kFailed };

  // What a transition gives: the next message to send (`ok`), or why the
  // exchange failed (`!ok`, `text` says what was wrong).
  struct Step {
    bool ok = false;
    std::string text;
  };

  ScramClient(ScramHash hash, std::string_view user, std::string_view password,
              std::string_view client_nonce);

  [[nodiscard]] State state() const noexcept { return state_; }

  // client-first-message: "n,,n=USER,r=NONCE", the user's '=' and ','
  // escaped as "=3D" and "=2C".
  [[nodiscard]] Step client_first();
  // server-first-message "r=NONCE,s=SALT,i=ITERATIONS" to
  // client-final-message "c=biws,r=NONCE,p=PROOF".  Refused: a nonce that
  // does not extend ours, a salt that is not base64, fewer than 4096
  // iterations, a mandatory extension ("m="), "e=" (the server's error).
  [[nodiscard]] Step on_server_first(std::string_view message);
  // server-final-message "v=SIGNATURE", compared in constant time with the
  // signature the password gives; "e=REASON" is the server's refusal.
  [[nodiscard]] Step on_server_final(std::string_view message);

 private:
  Step fail(std::string why);

  ScramHash hash_;
  std::string user_;
  std::string password_;
  std::string nonce_;
  std::string client_first_bare_;
  std::string server_signature_;  // raw bytes, once the final message is sent
  State state_ = State::kStart;
};

}  // namespace ringkafka::sasl
