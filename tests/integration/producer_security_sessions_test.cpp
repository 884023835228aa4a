// The producer's sessions with real Kafka's secured listeners over time
// (security_broker.h): KIP-368 re-authentication under load, a broker
// restart mid-stream over TLS, and the application's OAUTHBEARER tokens
// refreshed by the library.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "sasl/mechanisms.h"
#include "security_broker.h"

namespace {

using namespace ringkafka::testing::security;

// Records "PREFIX-0" ... into `t`, `per_tick` of them every 10 ms for
// `length`, their reports taken as they come unless `reports` is null (the
// token test never polls); `connections` is stats().connections after the
// first second (the connections made at the start).  Returns how many
// produce() accepted.
std::size_t produce_paced(rk::Producer& p, rk::Topic t, const std::string& prefix,
                          Clock::duration length, int per_tick,
                          std::vector<rk::DeliveryReport>* reports,
                          std::uint64_t* connections = nullptr) {
  std::size_t accepted = 0;
  const auto start = Clock::now();
  for (int tick = 0; Clock::now() < start + length; ++tick) {
    for (int i = 0; i < per_tick; ++i) {
      const std::string value = prefix + "-" + std::to_string(accepted);
      if (p.produce(t, rk::Bytes::null(), value, {.opaque = opaque_of(accepted)}) ==
          rk::Errc::kOk) {
        ++accepted;
      }
    }
    if (reports != nullptr) (void)rt::take_reports(p, *reports);
    if (tick == 100 && connections != nullptr) *connections = p.stats().connections;
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * (tick + 1)));
  }
  return accepted;
}

// KIP-368 under load: the REAUTH listener's sessions last 10 s, and the
// producer renews each before it ends, holding new requests only while
// those in flight drain, so nothing is lost, duplicated or disconnected.
// RINGKAFKA_REAUTH_SECONDS sets the length (tools/security-full: 60).
TEST_F(ProducerSecurity, ReauthenticatesUnderLoadWithoutADisconnect) {
  const char* env = std::getenv("RINGKAFKA_REAUTH_SECONDS");
  const long seconds =
      env != nullptr && *env != '\0' ? std::strtol(env, nullptr, 10) : 12;
  const std::string topic = new_topic("security-reauth");
  auto config = secure_config(rk::Config::durable(), kReauth,
                              {"SCRAM-SHA-512", "alice", "alice-secret"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_TRUE(config.value().set("linger.ms", "1").ok());
  auto made = rk::Producer::create(config.value());
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();

  // 200 records every 10 ms: requests stay in flight all the time.
  std::vector<rk::DeliveryReport> reports;
  std::uint64_t connections_at_start = 0;
  const std::size_t accepted = produce_paced(p, t, topic, std::chrono::seconds(seconds), 200,
                                             &reports, &connections_at_start);
  expect_all_delivered(p, reports, accepted, 30s);
  const rk::ProducerStats st = p.stats();
  std::cout << "[ reauth  ] " << seconds << " s, " << accepted << " records, "
            << st.reauthentications << " re-authentications, " << st.connections
            << " connections\n";
  // Two connections (bootstrap and broker), each renewed every 8.5-9.5 s.
  EXPECT_GE(st.reauthentications, static_cast<std::uint64_t>(2 * (seconds / 10)));
  EXPECT_EQ(st.connections, connections_at_start) << "a connection was made again";
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);

  expect_read_back_once(topic, accepted);
}

// The broker restarts while records stream over TLS: the connection fails,
// comes back with a new handshake, and the idempotent producer's retries
// leave every record once.  It restarts the shared broker, so only where
// RINGKAFKA_SECURITY_RESTART is set (tools/security-full).
TEST_F(ProducerSecurity, ABrokerRestartOverTlsLosesNothing) {
  if (std::getenv("RINGKAFKA_SECURITY_RESTART") == nullptr) {
    GTEST_SKIP() << "restarts the broker: tools/security-full";
  }
  const std::string topic = new_topic("security-restart");
  auto config = secure_config(rk::Config::durable(), kSsl13, kNoSasl);
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto made = rk::Producer::create(config.value());
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();

  std::vector<rk::DeliveryReport> reports;
  const auto start = Clock::now();
  std::thread restart([&] {
    std::this_thread::sleep_until(start + 5s);
    EXPECT_EQ(SecureBroker::get().command("kill-node 1 --signal TERM").exit_code, 0);
    EXPECT_EQ(SecureBroker::get().command("start-node 1").exit_code, 0);
  });
  // 2,000 records/s for 50 s, the restart 5 s in.
  const std::size_t accepted = produce_paced(p, t, topic, 50s, 20, &reports);
  restart.join();
  expect_all_delivered(p, reports, accepted, 60s);
  std::cout << "[ restart ] " << accepted << " records, " << p.stats().connections
            << " connections\n";
  EXPECT_GT(p.stats().connections, 2U) << "the restart did not break the connection";
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);
  expect_read_back_once(topic, accepted);
}

// OAUTHBEARER with the application's tokens (Config::oauthbearer_token_callback):
// each token lasts 12 s, the REAUTH listener's sessions at most 10 s.  The
// library fetches new tokens on its own thread before they expire and the
// connections renew their sessions with them, while the application never
// calls poll(): after 12 s the callback has run again, nothing
// reconnected, and every record is delivered.
struct TokenCalls {
  std::atomic<int> calls{0};
};

rk::Result<rk::OAuthBearerToken> alice_token(void* context) {
  ++static_cast<TokenCalls*>(context)->calls;
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  rk::OAuthBearerToken t;
  t.value = ringkafka::sasl::unsecured_jwt("alice", now_s, 12);
  t.expiry_ms = (now_s + 12) * 1000;
  t.principal = "alice";
  return t;
}

TEST_F(ProducerSecurity, ApplicationTokensAreRefreshedWithoutPoll) {
  const std::string topic = new_topic("security-token");
  TokenCalls calls;
  rk::Config config = keyed(SecureBroker::get().listener("REAUTH"),
                            {{"security.protocol", "sasl_ssl"},
                             {"ssl.ca.location", SecureBroker::get().ca_pem()},
                             {"sasl.mechanism", "OAUTHBEARER"}});
  config.oauthbearer_token_callback(alice_token, &calls);
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(calls.calls.load(), 1) << "the first token is fetched by create()";
  rk::Producer& p = *made.value();
  const rk::Topic t = p.topic(topic).value();
  const long seconds = 12;
  std::uint64_t connections_at_start = 0;
  const std::size_t accepted = produce_paced(p, t, topic, std::chrono::seconds(seconds), 1,
                                             nullptr, &connections_at_start);
  const int fetched = calls.calls.load();
  std::vector<rk::DeliveryReport> reports;
  expect_all_delivered(p, reports, accepted, 30s);
  const rk::ProducerStats st = p.stats();
  std::cout << "[ token   ] " << seconds << " s: " << fetched << " tokens fetched, "
            << st.reauthentications << " re-authentications, " << st.connections
            << " connections, " << accepted << " records\n";
  // 12 s tokens refreshed at 75-85 %: one more at least every 10.2 s.
  EXPECT_GE(fetched, 1 + static_cast<int>(seconds / 11));
  EXPECT_GE(st.reauthentications, 2U);
  EXPECT_EQ(st.connections, connections_at_start) << "a connection was made again";
}

TEST_F(ProducerSecurity, ATokenCallbackThatFailsFailsCreate) {
  rk::Config config = keyed(SecureBroker::get().listener("SASL_PLAINTEXT"),
                            {{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "OAUTHBEARER"}});
  config.oauthbearer_token_callback(
      [](void*) -> rk::Result<rk::OAuthBearerToken> {
        return rk::Error{rk::Errc::kAuthentication, "identity provider unreachable"};
      },
      nullptr);
  auto made = rk::Producer::create(config);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().message,
            "Config::oauthbearer_token_callback: identity provider unreachable");
}

}  // namespace
