// config/log.h: which lines are written, where they go, what `debug`
// accepts; broker/failure.h: how a connection's failure is worded.
#include "config/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/failure.h"
#include "config/settings.h"

namespace rc = ringkafka::config;
namespace br = ringkafka::broker;
using ringkafka::Errc;
using ringkafka::LogLevel;

namespace {

struct Seen {
  std::vector<std::string> lines;  // "LEVEL|facility|message"
  std::vector<std::string> errors;
  std::vector<Errc> codes;
};

void on_log(LogLevel level, std::string_view facility, std::string_view message,
            void* context) noexcept {
  static_cast<Seen*>(context)->lines.push_back(std::to_string(static_cast<int>(level)) + "|" +
                                               std::string(facility) + "|" +
                                               std::string(message));
}

void on_error(Errc code, std::string_view reason, void* context) noexcept {
  auto* seen = static_cast<Seen*>(context);
  seen->codes.push_back(code);
  seen->errors.emplace_back(reason);
}

std::uint32_t mask_of(std::string_view list) {
  std::uint32_t mask = 0;
  std::string_view bad;
  EXPECT_TRUE(rc::parse_contexts(list, mask, bad)) << bad;
  return mask;
}

}  // namespace

TEST(LogContexts, AreLibrdkafkasNames) {
  using enum rc::Context;
  EXPECT_EQ(mask_of("broker"), static_cast<std::uint32_t>(kBroker));
  EXPECT_EQ(mask_of(" broker , msg,"), static_cast<std::uint32_t>(kBroker) |
                                           static_cast<std::uint32_t>(kMsg));
  EXPECT_EQ(mask_of("idempotence"), mask_of("eos"));
  EXPECT_EQ(mask_of("cgrp,fetch"), static_cast<std::uint32_t>(kCgrp) |
                                       static_cast<std::uint32_t>(kFetch));  // accepted, unused
  EXPECT_EQ(mask_of(""), 0U);
  for (const rc::ContextName& n : rc::context_names()) {
    EXPECT_EQ(mask_of("all") & n.bits, n.bits) << n.name;
  }
  std::uint32_t mask = 0;
  std::string_view bad;
  EXPECT_FALSE(rc::parse_contexts("broker,brokers", mask, bad));
  EXPECT_EQ(bad, "brokers");
  EXPECT_EQ(rc::context_name(kSecurity), "security");
}

TEST(Log, DebugLinesNeedTheirContextOtherLinesTheLevel) {
  Seen seen;
  const rc::Log log(on_log, &seen, nullptr, nullptr, 7, mask_of("broker"), "c1");
  RK_DEBUG(log, kBroker, "connecting to %s", "b:1");
  RK_DEBUG(log, kMsg, "not this one");
  RK_LOG(log, LogLevel::kWarning, rc::Context::kMsg, "a warning in %d", 1);
  ASSERT_EQ(seen.lines.size(), 2U);
  EXPECT_EQ(seen.lines[0], "7|broker|connecting to b:1");
  EXPECT_EQ(seen.lines[1], "4|msg|a warning in 1");

  Seen quiet;
  const rc::Log info(on_log, &quiet, nullptr, nullptr, 6, mask_of("all"), "c1");
  RK_DEBUG(info, kBroker, "debug is above level 6");
  RK_LOG(info, LogLevel::kInfo, rc::Context::kGeneric, "info");
  ASSERT_EQ(quiet.lines.size(), 1U);
}

TEST(Log, TheArgumentsOfALineNobodyReadsAreNotEvaluated) {
  Seen seen;
  const rc::Log log(on_log, &seen, nullptr, nullptr, 6, 0, "c1");
  int evaluated = 0;
  RK_DEBUG(log, kBroker, "%d", ++evaluated);
  EXPECT_EQ(evaluated, 0);
}

TEST(Log, ErrorsGoToTheErrorCallbackElseTheLog) {
  Seen seen;
  const rc::Log with(on_log, &seen, on_error, &seen, 6, 0, "c1");
  with.error(Errc::kAllBrokersDown, "%d/%d brokers are down", 3, 3);
  ASSERT_EQ(seen.errors.size(), 1U);
  EXPECT_EQ(seen.codes[0], Errc::kAllBrokersDown);
  EXPECT_EQ(seen.errors[0], "3/3 brokers are down");
  EXPECT_TRUE(seen.lines.empty());

  Seen logged;
  const rc::Log without(on_log, &logged, nullptr, nullptr, 6, 0, "c1");
  without.error(Errc::kTransport, "cannot connect");
  ASSERT_EQ(logged.lines.size(), 1U);
  EXPECT_EQ(logged.lines[0], "3|error|cannot connect");
}

TEST(Log, SettingsCarryTheKeysAndTheCallbacks) {
  Seen seen;
  ringkafka::Config c;
  c.bootstrap_servers("localhost:9092");
  c.log_callback(on_log, &seen);
  c.error_callback(on_error, &seen);
  ASSERT_TRUE(c.set("debug", "broker,eos").ok());
  auto s = rc::parse_settings(c);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value().log_level, 7);  // debug raises the level, as in librdkafka
  EXPECT_TRUE(s.value().log.debugging(rc::Context::kEos));
  EXPECT_FALSE(s.value().log.debugging(rc::Context::kMsg));
  s.value().log.error(Errc::kFatal, "x");
  EXPECT_EQ(seen.errors.size(), 1U);

  ringkafka::Config bad;
  bad.bootstrap_servers("localhost:9092");
  // Checked when set, or at the latest by parse_settings.
  const auto e = bad.set("debug", "broker,nonsense");
  const std::string message =
      !e.ok() ? e.error().message : rc::parse_settings(bad).error().message;
  EXPECT_NE(message.find("\"nonsense\" is not one"), std::string::npos) << message;
}

namespace {

std::string said(br::FailedWhile step, std::int32_t node, std::string_view host,
                 std::uint16_t port, std::string_view why, Errc expected) {
  char text[400];
  EXPECT_EQ(br::describe_failure(step, node, host, port, why, text, sizeof text), expected);
  return text;
}

}  // namespace

TEST(Failure, NamesTheStepTheBrokerAndTheReason) {
  using enum br::FailedWhile;
  EXPECT_EQ(said(kResolving, -1, "nosuchhost.invalid", 9092, "host not found", Errc::kResolve),
            "cannot resolve nosuchhost.invalid:9092: host not found");
  EXPECT_EQ(said(kConnecting, -1, "127.0.0.1", 1, "Connection refused", Errc::kTransport),
            "cannot connect to 127.0.0.1:1: Connection refused");
  EXPECT_EQ(said(kConnecting, 2, "::1", 9092, "Connection refused", Errc::kTransport),
            "cannot connect to [::1]:9092 (node 2): Connection refused");
  EXPECT_EQ(said(kTls, 1, "k1", 9093, "certificate verify failed", Errc::kTransport),
            "TLS handshake with k1:9093 (node 1) failed: certificate verify failed");
  EXPECT_EQ(said(kReady, 1, "k1", 9092, "closed by the broker", Errc::kTransport),
            "connection to k1:9092 (node 1) lost: closed by the broker");
  EXPECT_EQ(said(kAuthenticating, 1, "k1", 9094, "SASL: bad password", Errc::kAuthentication),
            "authentication with k1:9094 (node 1) failed: SASL: bad password");
  EXPECT_EQ(said(kStopped, 1, "k1", 9092, "the broker left", Errc::kOk),
            "connection to k1:9092 (node 1) closed: the broker left");
}

TEST(Failure, ALongReasonIsCutNotOverrun) {
  char text[32];
  const std::string why(200, 'x');
  (void)br::describe_failure(br::FailedWhile::kReady, 1, "k1", 9092, why, text, sizeof text);
  EXPECT_EQ(std::string(text).size(), sizeof text - 1);
}
