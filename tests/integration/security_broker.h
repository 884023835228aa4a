// What the security tests against real Kafka share
// (producer_security_test.cpp, producer_security_sessions_test.cpp): the
// --security broker (tools/kafka-local start --security), how a client
// reaches each listener, and the checks every case makes: one report per
// record, kcat reading each value back once, a refusal's message.
//
// The broker has users alice (may do everything a producer does), bob (may
// describe topics only) and mallory (nothing), each with password
// NAME-secret and SCRAM credentials for both hashes; auto topic creation is
// off.  TLS rows verify the broker with the test CA from `status`; the SSL
// listener wants alice's client certificate as well.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "broker.h"
#include "kcat_reader.h"
#include "reports.h"
#include "ringkafka/producer.h"
#include "sasl/mechanisms.h"

namespace ringkafka::testing::security {

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// RINGKAFKA_SECURITY_QUICK (tools/test's sanitizer pass): a row per
// transport instead of the whole matrix, and a shorter re-authentication
// run, for CI's minutes.
inline bool quick() {
  const char* q = std::getenv("RINGKAFKA_SECURITY_QUICK");
  return q != nullptr && *q != '\0' && *q != '0';
}

// The bound on every refusal: an authentication or authorization failure is
// final, so waiting out retries or delivery.timeout.ms would be a bug.
inline constexpr auto kRefusalBound = 10s;

// One --security broker for the suite: the one in $RINGKAFKA_SECURITY_DIR
// if set (already running, left running), else one of our own.
class SecureBroker {
 public:
  static SecureBroker& get() {
    static SecureBroker b;
    return b;
  }
  [[nodiscard]] bool up() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  // The PLAINTEXT listener, where ANONYMOUS is a super user: for kcat.
  [[nodiscard]] const std::string& plaintext() const { return plaintext_; }
  // A listener's HOST:PORT by its name in `status` (SASL_PLAINTEXT, ...).
  [[nodiscard]] std::string listener(const std::string& name) const {
    const auto it = listeners_.find(name);
    return it == listeners_.end() ? std::string() : it->second;
  }
  [[nodiscard]] std::string ca_pem() const { return listener("PKI") + "/ca.pem"; }

  // kafka-local ARGS --dir DIR (stop-node, start-node).
  [[nodiscard]] rt::CommandResult command(const std::string& args) const { return run(args); }

  [[nodiscard]] bool create_topic(const std::string& name) const {
    return run("create-topic " + name + " --partitions 3").exit_code == 0;
  }
  void stop() const {
    if (owned_) (void)run("stop");
  }

 private:
  SecureBroker() {
    if (const char* d = std::getenv("RINGKAFKA_SECURITY_DIR"); d != nullptr && *d != '\0') {
      dir_ = d;
    } else {
      owned_ = true;
      const char* tmp = std::getenv("TMPDIR");
      dir_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/ringkafka-security-" +
             std::to_string(::getpid());
      (void)run("stop");  // a broker left by an earlier run with the same pid
      if (run("start --security").exit_code != 0) {
        error_ = "kafka-local start --security failed (its log is above)";
        return;
      }
    }
    const auto status = run("status");
    if (status.exit_code != 0) {
      error_ = "kafka-local status --dir " + dir_ + " failed: no broker there";
      return;
    }
    std::istringstream lines(status.output);
    std::getline(lines, plaintext_);
    for (std::string name, where; lines >> name >> where;) listeners_[name] = where;
    for (const char* needed : {"SASL_PLAINTEXT", "PLAINONLY"}) {
      if (listener(needed).empty()) {
        error_ = std::string("kafka-local status lists no ") + needed + " listener in " + dir_ +
                 " (not started with --security?)";
      }
    }
  }
  // kafka-local ARGS --dir DIR.
  [[nodiscard]] rt::CommandResult run(const std::string& args) const {
    return rt::run_command(rt::kafka_local() + " " + args + " --dir " + dir_);
  }

  std::string dir_;
  bool owned_ = false;
  std::string plaintext_;
  std::map<std::string, std::string> listeners_;
  std::string error_;
};

// How a client reaches a listener.  A TLS row verifies the broker with the
// test CA; further ssl.* keys (a client certificate) would go beside it.
struct Transport {
  const char* protocol;  // security.protocol
  const char* listener;  // its name in `status`
  bool tls = false;
  const char* versions = "TLSv1.2,TLSv1.3";  // ssl.enabled.protocols
  bool client_certificate = false;           // alice's
  const char* endpoint_check = "https";      // ssl.endpoint.identification.algorithm
};
inline constexpr Transport kSaslPlaintext{"sasl_plaintext", "SASL_PLAINTEXT"};
inline constexpr Transport kPlainOnly{"sasl_plaintext", "PLAINONLY"};
inline constexpr Transport kSaslSsl12{"sasl_ssl", "SASL_SSL", true, "TLSv1.2"};
inline constexpr Transport kSaslSsl13{"sasl_ssl", "SASL_SSL", true, "TLSv1.3"};
inline constexpr Transport kSsl12{"ssl", "SSL", true, "TLSv1.2", true};
inline constexpr Transport kSsl13{"ssl", "SSL", true, "TLSv1.3", true};
inline constexpr Transport kReauth{"sasl_ssl", "REAUTH", true};

// Who logs in, and how.  For OAUTHBEARER the user is the unsecured token's
// subject and there is no password.
struct Login {
  const char* mechanism;  // nullptr: no SASL (the SSL listener)
  const char* user;
  const char* password = "";
};
inline constexpr Login kNoSasl{nullptr, "alice"};

// `base` (a preset, or Config() for the defaults) pointed at the listener
// with the login's keys; the first key refused is the error.
inline rk::Result<rk::Config> secure_config(rk::Config base, const Transport& t, const Login& l) {
  const SecureBroker& broker = SecureBroker::get();
  base.bootstrap_servers(broker.listener(t.listener));
  std::vector<std::pair<std::string, std::string>> keys = {{"security.protocol", t.protocol}};
  if (t.tls) {
    keys.emplace_back("ssl.ca.location", broker.ca_pem());
    keys.emplace_back("ssl.enabled.protocols", t.versions);
    keys.emplace_back("ssl.endpoint.identification.algorithm", t.endpoint_check);
  }
  if (t.client_certificate) {
    keys.emplace_back("ssl.certificate.location", broker.listener("PKI") + "/alice.pem");
    keys.emplace_back("ssl.key.location", broker.listener("PKI") + "/alice.key");
  }
  if (l.mechanism == nullptr) {
    // TLS alone: the principal is the certificate's CN.
  } else if (std::string_view(l.mechanism) == "OAUTHBEARER") {
    keys.emplace_back("sasl.mechanism", l.mechanism);
    keys.emplace_back("enable.sasl.oauthbearer.unsecure.jwt", "true");
    keys.emplace_back("sasl.oauthbearer.config", std::string("principal=") + l.user);
  } else {
    keys.emplace_back("sasl.mechanism", l.mechanism);
    keys.emplace_back("sasl.username", l.user);
    keys.emplace_back("sasl.password", l.password);
  }
  for (const auto& [key, value] : keys) {
    auto set = base.set(key, value);
    if (!set.ok()) return set.error();
  }
  return base;
}

// The record's index as its opaque, so a report can be matched to its record.
inline void* opaque_of(std::size_t i) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)); }
inline std::size_t index_of(const rk::DeliveryReport& r) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(r.opaque));
}

// Produces values "PREFIX-0" ... into `t`, taking reports into `reports`
// while the ring is full.  Returns how many were accepted; stops at the
// first other refusal, which `refusal` then holds.
inline std::size_t produce_values(rk::Producer& p, rk::Topic t, const std::string& prefix,
                           std::size_t count, std::vector<rk::DeliveryReport>& reports,
                           rk::Errc& refusal) {
  refusal = rk::Errc::kOk;
  std::size_t accepted = 0;
  const auto give_up = Clock::now() + 30s;  // a ring that never drains: a sender gone
  while (accepted < count) {
    const std::string value = prefix + "-" + std::to_string(accepted);
    const rk::Errc e = p.produce(t, rk::Bytes::null(), value, {.opaque = opaque_of(accepted)});
    if (e == rk::Errc::kOk) {
      ++accepted;
    } else if (rk::is_full(e) &&
               Clock::now() < give_up) {
      if (rt::take_reports(p, reports) == 0) std::this_thread::sleep_for(1ms);
    } else {
      refusal = e;
      break;
    }
  }
  return accepted;
}

// Every one of `accepted` records has exactly one report in `reports`.
inline void expect_one_report_each(const std::vector<rk::DeliveryReport>& reports, std::size_t accepted) {
  std::vector<int> seen(accepted, 0);
  for (const auto& r : reports) {
    const std::size_t i = index_of(r);
    ASSERT_LT(i, accepted) << "a report for a record never produced";
    ++seen[i];
  }
  for (std::size_t i = 0; i < accepted; ++i) EXPECT_EQ(seen[i], 1) << "record " << i;
}

// After flush() every report is out: a further poll finds only duplicates.
inline void take_late_reports(rk::Producer& p, std::vector<rk::DeliveryReport>& reports) {
  (void)p.flush(5s);
  (void)rt::take_reports(p, reports);
}

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class ProducerSecurity : public ::testing::Test {
 protected:
  static void TearDownTestSuite() { SecureBroker::get().stop(); }

  // Skipped where no broker can be started (no Java, say), except in CI,
  // where that is a failure, as for every integration test.
  void SetUp() override {
    if (SecureBroker::get().up()) return;
    if (std::getenv("CI") != nullptr) FAIL() << SecureBroker::get().error();
    GTEST_SKIP() << SecureBroker::get().error();
  }

  // A topic of its own, made through the PLAINTEXT listener.
 public:
  static std::string new_topic(const std::string& prefix) {
    std::string topic = rt::unique_topic(prefix);
    EXPECT_TRUE(SecureBroker::get().create_topic(topic)) << topic;
    return topic;
  }
};

// For each PREFIX and its COUNT, every value "PREFIX-0" ... "PREFIX-(COUNT-1)"
// is in `topic` exactly once, and nothing else is, as kcat reads it through
// the PLAINTEXT listener (one read for many producers' records: each kcat
// run and each topic made costs a JVM or a second).
inline void expect_read_back_once(const std::string& topic,
                                  const std::map<std::string, std::size_t>& prefixes) {
  std::size_t total = 0;
  for (const auto& [prefix, count] : prefixes) total += count;
  std::vector<rt::KcatRecord> records;
  ASSERT_EQ(rt::kcat_read_topic(SecureBroker::get().plaintext(), topic, records, total), "");
  EXPECT_EQ(records.size(), total);
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r.value.value_or("(null)")];
  for (const auto& [prefix, count] : prefixes) {
    for (std::size_t i = 0; i < count; ++i) {
      EXPECT_EQ(seen[prefix + "-" + std::to_string(i)], 1) << prefix << " record " << i;
    }
  }
}

inline void expect_read_back_once(const std::string& topic, std::size_t count) {
  expect_read_back_once(topic, {{topic, count}});
}

// Every one of `accepted` records delivered, with exactly one report each,
// within `wait` of the flush.
inline void expect_all_delivered(rk::Producer& p, std::vector<rk::DeliveryReport>& reports,
                                 std::size_t accepted, std::chrono::seconds wait) {
  EXPECT_EQ(p.flush(wait), rk::Errc::kOk);
  rt::await_reports(p, reports, accepted, Clock::now() + wait);
  take_late_reports(p, reports);
  ASSERT_EQ(reports.size(), accepted);
  expect_one_report_each(reports, accepted);
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << "record " << index_of(r) << ": " << rk::to_string(r.error) << ": "
                        << r.message;
  }
}

// `count` records "PREFIX-0" ... into `topic` through `t` as `l`,
// idempotent, each reported delivered (the caller reads them back).
inline void deliver(const Transport& t, const Login& l, std::size_t count, const std::string& topic,
                    const std::string& prefix) {
  auto config = secure_config(rk::Config::durable(), t, l);
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto made = rk::Producer::create(config.value());
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic handle = p.topic(topic).value();

  std::vector<rk::DeliveryReport> reports;
  rk::Errc refusal = rk::Errc::kOk;
  const std::size_t accepted = produce_values(p, handle, prefix, count, reports, refusal);
  ASSERT_EQ(accepted, count) << "produce() said " << rk::to_string(refusal);
  expect_all_delivered(p, reports, accepted, 30s);
  EXPECT_EQ(p.fatal_error(), "");
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);
}

// The same, into a topic of its own, read back at once.
inline void deliver_exactly_once(const Transport& t, const Login& l, std::size_t count,
                                 const std::string& topic) {
  deliver(t, l, count, topic, topic);
  expect_read_back_once(topic, count);
}

// A producer for `listener` with `keys` set on the defaults.
inline rk::Config keyed(const std::string& listener,
                 std::initializer_list<std::pair<std::string, std::string>> keys) {
  rk::Config c;
  c.bootstrap_servers(listener);
  for (const auto& [k, v] : keys) EXPECT_TRUE(c.set(k, v).ok()) << k << "=" << v;
  return c;
}

// A producer of `config` makes `count` records on a topic of its own and
// takes their reports for up to kRefusalBound.  Returns the reports; each
// record must have exactly one.
inline std::vector<rk::DeliveryReport> refused_reports(rk::Producer& p, const std::string& topic,
                                                std::size_t count) {
  std::vector<rk::DeliveryReport> reports;
  const rk::Topic t = p.topic(topic).value();
  const auto deadline = Clock::now() + kRefusalBound;
  rk::Errc refusal = rk::Errc::kOk;
  const std::size_t accepted = produce_values(p, t, "refused", count, reports, refusal);
  EXPECT_EQ(accepted, count) << "produce() said " << rk::to_string(refusal);
  rt::await_reports(p, reports, accepted, deadline);
  EXPECT_EQ(reports.size(), accepted) << "reports within " << kRefusalBound.count() << " s";
  take_late_reports(p, reports);
  expect_one_report_each(reports, accepted);
  return reports;
}

// A producer of `config` ends 20 records within kRefusalBound, each with
// kAuthentication and a message holding every one of `parts`, and is not
// fatal (a refused login or certificate is the application's to fix).
inline void expect_refused(const rk::Config& config, const std::string& topic, const char* name,
                           const std::vector<std::string>& parts) {
  auto made = rk::Producer::create(config);
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const auto reports = refused_reports(p, topic, 20);
  ASSERT_EQ(reports.size(), 20U);
  for (const auto& r : reports) {
    EXPECT_EQ(r.error, rk::Errc::kAuthentication) << rk::to_string(r.error) << ": " << r.message;
    for (const auto& part : parts) {
      EXPECT_TRUE(contains(r.message, part)) << "\"" << part << "\" not in: " << r.message;
    }
  }
  EXPECT_EQ(p.fatal_error(), "");
  std::cout << "[ refusal ] " << name << ": " << reports.front().message << "\n";
}

}  // namespace ringkafka::testing::security
