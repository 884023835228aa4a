// When the application's OAUTHBEARER token is fetched again
// (sender/token_refresher.h), and that the refresher calls back on its own.
#include "sender/token_refresher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/clock.h"

namespace {

using ringkafka::sender::TokenRefresher;

TEST(TokenRefresher, At75To85PercentOfWhatIsLeft) {
  EXPECT_EQ(TokenRefresher::refresh_at_ms(0, 100'000, 0.0), 75'000);
  EXPECT_EQ(TokenRefresher::refresh_at_ms(0, 100'000, 0.5), 80'000);
  EXPECT_EQ(TokenRefresher::refresh_at_ms(0, 100'000, 1.0), 85'000);
  EXPECT_EQ(TokenRefresher::refresh_at_ms(50'000, 150'000, 0.5), 130'000);
  // Expired or about to: not sooner than a second, so a callback that
  // hands out short tokens cannot spin.
  EXPECT_EQ(TokenRefresher::refresh_at_ms(10'000, 9'000, 0.5), 11'000);
  EXPECT_EQ(TokenRefresher::refresh_at_ms(10'000, 10'500, 0.5), 11'000);
}

std::atomic<int> calls{0};

ringkafka::Result<ringkafka::OAuthBearerToken> short_token(void*) {
  ++calls;
  ringkafka::OAuthBearerToken t;
  t.value = "token-" + std::to_string(calls.load());
  t.expiry_ms = ringkafka::core::wall_ms() + 1200;  // refreshed after 1 s (the floor)
  return t;
}

TEST(TokenRefresher, RefreshesOnItsOwnThread) {
  ringkafka::config::SaslSettings s;
  s.token_callback = short_token;
  auto r = TokenRefresher::start(s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(calls.load(), 1);
  ringkafka::OAuthBearerToken t;
  std::string why;
  ASSERT_TRUE(r.value()->current(t, why)) << why;
  EXPECT_EQ(t.value, "token-1");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (calls.load() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(calls.load(), 3);
  ASSERT_TRUE(r.value()->current(t, why)) << why;
  EXPECT_NE(t.value, "token-1");
}

}  // namespace
