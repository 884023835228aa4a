#include "sender/token_refresher.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/clock.h"

namespace ringkafka::sender {
namespace {

constexpr std::int64_t kRetryMinMs = 1000;
constexpr std::int64_t kRetryMaxMs = 10000;

}  // namespace

std::int64_t TokenRefresher::refresh_at_ms(std::int64_t now_ms, std::int64_t expiry_ms,
                                           double draw) {
  const std::int64_t left = std::max<std::int64_t>(expiry_ms - now_ms, 0);
  const double share = 0.75 + 0.10 * std::clamp(draw, 0.0, 1.0);
  return now_ms + std::max<std::int64_t>(static_cast<std::int64_t>(static_cast<double>(left) * share),
                                         1000);
}

Result<std::unique_ptr<TokenRefresher>> TokenRefresher::start(const config::SaslSettings& s,
                                                               const config::Log* log) {
  std::unique_ptr<TokenRefresher> r(new TokenRefresher(s, log));
  auto first = s.token_callback(s.token_context);
  if (!first.ok()) {
    return Error{Errc::kAuthentication,
                 "Config::oauthbearer_token_callback: " + first.error().message};
  }
  if (first.value().value.empty()) {
    return Error{Errc::kAuthentication, "Config::oauthbearer_token_callback gave an empty token"};
  }
  r->token_ = std::move(first.value());
  r->have_ = true;
  r->fetches_ = 1;
  std::mt19937_64 rng(std::random_device{}());
  r->next_ms_ = refresh_at_ms(core::wall_ms(), r->token_.expiry_ms,
                              std::uniform_real_distribution<double>(0, 1)(rng));
  try {
    r->thread_ = std::thread([p = r.get()] {
      pthread_setname_np(pthread_self(), "rk-token");
      p->run();
    });
  } catch (const std::exception& e) {
    return Error{Errc::kResource, std::string("cannot start the token thread: ") + e.what()};
  }
  return r;
}

TokenRefresher::~TokenRefresher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TokenRefresher::run() {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> draw(0, 1);
  std::int64_t retry_ms = kRetryMinMs;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const auto until = std::chrono::system_clock::time_point(std::chrono::milliseconds(next_ms_));
    if (wake_.wait_until(lock, until, [this] { return stopping_; })) break;
    if (core::wall_ms() < next_ms_) continue;
    lock.unlock();
    // Outside the lock: it may block, and the sender must still read the
    // token it has.
    auto fetched = s_.token_callback(s_.token_context);
    lock.lock();
    ++fetches_;
    if (fetched.ok() && !fetched.value().value.empty()) {
      token_ = std::move(fetched.value());
      have_ = true;
      error_.clear();
      retry_ms = kRetryMinMs;
      next_ms_ = refresh_at_ms(core::wall_ms(), token_.expiry_ms, draw(rng));
    } else {
      error_ = fetched.ok() ? "the callback gave an empty token" : fetched.error().message;
      next_ms_ = core::wall_ms() + retry_ms;
      retry_ms = std::min(retry_ms * 2, kRetryMaxMs);
      if (log_ != nullptr) {
        const std::string why = error_;
        lock.unlock();  // the callback is the application's: no lock of ours held
        log_->error(Errc::kAuthentication,
                    "refreshing the OAUTHBEARER token failed (the current one stays until it "
                    "expires): %s",
                    why.c_str());
        lock.lock();
      }
    }
  }
}

bool TokenRefresher::current(OAuthBearerToken& token, std::string& why) {
  std::lock_guard lock(mu_);
  if (!have_ || token_.expiry_ms <= core::wall_ms()) {
    why = error_.empty() ? "the token expired" : "the token expired; refreshing it failed: " + error_;
    return false;
  }
  token = token_;
  return true;
}

std::uint64_t TokenRefresher::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace ringkafka::sender
