// The application's OAUTHBEARER tokens (Config::oauthbearer_token_callback),
// kept fresh on a thread of their own so that a callback that blocks (an
// HTTP request to the identity provider) never holds the sender up, and a
// refresh never waits for the application to call poll() (librdkafka
// #3556).  The first token is fetched in start(), so create() fails with
// the callback's error; later ones at 80 % (+-5 %) of the remaining
// lifetime, as the Java client's login refresh does.  The connections pick
// the newest up when they authenticate, new or again (KIP-368: the broker
// ends a session at the token's expiry, so they renew before it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "broker/authenticator.h"
#include "config/log.h"
#include "config/security.h"
#include "ringkafka/error.h"

namespace ringkafka::sender {

class TokenRefresher final : public broker::TokenSource {
 public:
  // A failed refresh is told to `log`'s error callback (kAuthentication),
  // from the token thread.
  static Result<std::unique_ptr<TokenRefresher>> start(const config::SaslSettings& s,
                                                       const config::Log* log = nullptr);
  ~TokenRefresher();

  // The sender's: a copy under the lock (a control path, once per
  // authentication).
  bool current(OAuthBearerToken& token, std::string& why) override;
  [[nodiscard]] std::uint64_t fetches() const;

  // When the token that lasts until `expiry_ms` is fetched again, given the
  // time now and a draw in [0, 1): 80 % of the time left, +-5 % of it, at
  // least 1 s from now.  Pure, for the unit test.
  static std::int64_t refresh_at_ms(std::int64_t now_ms, std::int64_t expiry_ms, double draw);

 private:
  TokenRefresher(const config::SaslSettings& s, const config::Log* log) : s_(s), log_(log) {}
  void run();

  const config::SaslSettings& s_;
  const config::Log* log_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  OAuthBearerToken token_;
  bool have_ = false;
  std::string error_;  // the last fetch's, if it failed
  std::uint64_t fetches_ = 0;
  std::int64_t next_ms_ = 0;
  std::thread thread_;
};

}  // namespace ringkafka::sender
