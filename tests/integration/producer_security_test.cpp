// The producer against real Kafka's authenticated listeners (tools/kafka-local
// start --security): every SASL mechanism delivers exactly once, checked
// with kcat; a refused login and an ACL denial end every record in a report
// that names the cause, promptly, not after delivery.timeout.ms.  The broker
// has users alice (may do everything a producer does), bob (may describe
// topics only) and mallory (nothing), each with password NAME-secret, and
// SCRAM credentials for both hashes; auto topic creation is off.
//
// TLS rows verify the broker with the test CA from `status`; the SSL
// listener wants alice's client certificate as well.
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

namespace rk = ringkafka;
namespace rt = ringkafka::testing;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// RINGKAFKA_SECURITY_QUICK (tools/test's sanitizer pass): a row per
// transport instead of the whole matrix, and a shorter re-authentication
// run, for CI's minutes.
bool quick() {
  const char* q = std::getenv("RINGKAFKA_SECURITY_QUICK");
  return q != nullptr && *q != '\0' && *q != '0';
}

// The bound on every refusal: an authentication or authorization failure is
// final, so waiting out retries or delivery.timeout.ms would be a bug.
constexpr auto kRefusalBound = 10s;

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
constexpr Transport kSaslPlaintext{"sasl_plaintext", "SASL_PLAINTEXT"};
constexpr Transport kPlainOnly{"sasl_plaintext", "PLAINONLY"};
constexpr Transport kSaslSsl12{"sasl_ssl", "SASL_SSL", true, "TLSv1.2"};
constexpr Transport kSaslSsl13{"sasl_ssl", "SASL_SSL", true, "TLSv1.3"};
constexpr Transport kSsl12{"ssl", "SSL", true, "TLSv1.2", true};
constexpr Transport kSsl13{"ssl", "SSL", true, "TLSv1.3", true};
constexpr Transport kReauth{"sasl_ssl", "REAUTH", true};

// Who logs in, and how.  For OAUTHBEARER the user is the unsecured token's
// subject and there is no password.
struct Login {
  const char* mechanism;  // nullptr: no SASL (the SSL listener)
  const char* user;
  const char* password = "";
};
constexpr Login kNoSasl{nullptr, "alice"};

// `base` (a preset, or Config() for the defaults) pointed at the listener
// with the login's keys; the first key refused is the error.
rk::Result<rk::Config> secure_config(rk::Config base, const Transport& t, const Login& l) {
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
void* opaque_of(std::size_t i) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(i)); }
std::size_t index_of(const rk::DeliveryReport& r) {
  return static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(r.opaque));
}

// Produces values "PREFIX-0" ... into `t`, taking reports into `reports`
// while the ring is full.  Returns how many were accepted; stops at the
// first other refusal, which `refusal` then holds.
std::size_t produce_values(rk::Producer& p, rk::Topic t, const std::string& prefix,
                           std::size_t count, std::vector<rk::DeliveryReport>& reports,
                           rk::Errc& refusal) {
  refusal = rk::Errc::kOk;
  std::size_t accepted = 0;
  const auto give_up = Clock::now() + 30s;  // a ring that never drains: a sender gone
  while (accepted < count) {
    const std::string value = prefix + "-" + std::to_string(accepted);
    const rk::Errc e = p.produce(t, rk::Bytes::null(), value, {}, rk::kTimestampNow,
                                 opaque_of(accepted));
    if (e == rk::Errc::kOk) {
      ++accepted;
    } else if (e == rk::Errc::kQueueFull && Clock::now() < give_up) {
      if (rt::take_reports(p, reports) == 0) std::this_thread::sleep_for(1ms);
    } else {
      refusal = e;
      break;
    }
  }
  return accepted;
}

// Every one of `accepted` records has exactly one report in `reports`.
void expect_one_report_each(const std::vector<rk::DeliveryReport>& reports, std::size_t accepted) {
  std::vector<int> seen(accepted, 0);
  for (const auto& r : reports) {
    const std::size_t i = index_of(r);
    ASSERT_LT(i, accepted) << "a report for a record never produced";
    ++seen[i];
  }
  for (std::size_t i = 0; i < accepted; ++i) EXPECT_EQ(seen[i], 1) << "record " << i;
}

// After flush() every report is out: a further poll finds only duplicates.
void take_late_reports(rk::Producer& p, std::vector<rk::DeliveryReport>& reports) {
  (void)p.flush(5s);
  (void)rt::take_reports(p, reports);
}

bool contains(std::string_view text, std::string_view part) {
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
  static std::string new_topic(const std::string& prefix) {
    std::string topic = rt::unique_topic(prefix);
    EXPECT_TRUE(SecureBroker::get().create_topic(topic)) << topic;
    return topic;
  }
};

// `count` records through `t` as `l`, idempotent, each reported delivered
// and read back by kcat exactly once.
void deliver_exactly_once(const Transport& t, const Login& l, std::size_t count,
                          const std::string& topic) {
  auto config = secure_config(rk::Config::durable(), t, l);
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto made = rk::Producer::create(config.value());
  ASSERT_TRUE(made.ok()) << made.error().message;
  rk::Producer& p = *made.value();
  const rk::Topic handle = p.topic(topic).value();

  std::vector<rk::DeliveryReport> reports;
  rk::Errc refusal = rk::Errc::kOk;
  const std::size_t accepted = produce_values(p, handle, topic, count, reports, refusal);
  ASSERT_EQ(accepted, count) << "produce() said " << rk::to_string(refusal);
  EXPECT_EQ(p.flush(30s), rk::Errc::kOk);
  rt::await_reports(p, reports, count, Clock::now() + 30s);
  take_late_reports(p, reports);
  ASSERT_EQ(reports.size(), count);
  expect_one_report_each(reports, accepted);
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << "record " << index_of(r) << ": " << rk::to_string(r.error) << ": "
                        << r.message;
  }
  EXPECT_EQ(p.fatal_error(), "");
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);

  std::vector<rt::KcatRecord> records;
  ASSERT_EQ(rt::kcat_read_topic(SecureBroker::get().plaintext(), topic, records, count), "");
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r.value.value_or("(null)")];
  EXPECT_EQ(records.size(), count);
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(seen[topic + "-" + std::to_string(i)], 1) << "record " << i;
  }
}

// Every listener x mechanism x TLS version the issue names.
TEST_F(ProducerSecurity, EveryListenerAndMechanismDeliversExactlyOnce) {
  constexpr std::size_t kRecords = 200;
  if (quick()) {
    deliver_exactly_once(kSaslSsl13, {"SCRAM-SHA-512", "alice", "alice-secret"}, kRecords,
                         new_topic("security-quick"));
    deliver_exactly_once(kSsl12, kNoSasl, kRecords, new_topic("security-quick"));
    return;
  }
  for (const Transport* t : {&kSaslPlaintext, &kSaslSsl12, &kSaslSsl13}) {
    for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}) {
      const std::string row = std::string(t->listener) + " " + (t->tls ? t->versions : "") +
                              " " + mechanism;
      SCOPED_TRACE(row);
      deliver_exactly_once(*t, {mechanism, "alice", "alice-secret"}, kRecords,
                           new_topic("security-" + std::string(mechanism)));
    }
  }
  for (const Transport* t : {&kSsl12, &kSsl13}) {
    SCOPED_TRACE(std::string("SSL (client certificate) ") + t->versions);
    deliver_exactly_once(*t, kNoSasl, kRecords, new_topic("security-mtls"));
  }
}

// A producer of `config` makes `count` records on a topic of its own and
// takes their reports for up to kRefusalBound.  Returns the reports; each
// record must have exactly one.
std::vector<rk::DeliveryReport> refused_reports(rk::Producer& p, const std::string& topic,
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

TEST_F(ProducerSecurity, RefusalsNameTheirCauseWithinSeconds) {
  struct Case {
    const char* name;
    Transport transport;
    Login login;
    std::vector<std::string> parts;  // each in every report's message
  };
  const Case cases[] = {
      {"wrong password", kSaslPlaintext, {"SCRAM-SHA-256", "alice", "not-alice-secret"},
       {"credentials refused for user \"alice\" with SCRAM-SHA-256", "SASL_AUTHENTICATION_FAILED"}},
      {"unknown user", kSaslPlaintext, {"PLAIN", "nobody", "nobody-secret"},
       {"Invalid username or password"}},
      {"mechanism not enabled", kPlainOnly, {"SCRAM-SHA-512", "alice", "alice-secret"},
       {"sasl.mechanism=SCRAM-SHA-512 is not enabled on this listener (it offers PLAIN)"}},
  };
  const std::string topic = new_topic("security-refused");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto config = secure_config(rk::Config(), c.transport, c.login);
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto made = rk::Producer::create(config.value());
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const auto reports = refused_reports(p, topic, 20);
    ASSERT_EQ(reports.size(), 20U);
    for (const auto& r : reports) {
      EXPECT_EQ(r.error, rk::Errc::kAuthentication) << rk::to_string(r.error) << ": " << r.message;
      for (const auto& part : c.parts) {
        EXPECT_TRUE(contains(r.message, part)) << "\"" << part << "\" not in: " << r.message;
      }
    }
    // A refused login is the application's to fix, not the end of the producer.
    EXPECT_EQ(p.fatal_error(), "");
    std::cout << "[ refusal ] " << c.name << ": " << reports.front().message << "\n";
  }
}

TEST_F(ProducerSecurity, AclDenialsNameTheirCode) {
  constexpr std::int16_t kTopicAuthorizationFailed = 29;
  const std::string topic = new_topic("security-acl");

  // Without idempotence no InitProducerId is asked: the topic's own ACL
  // refuses, from Metadata for mallory (who may not even describe it) and
  // from Produce for bob.
  struct Case {
    const char* name;
    Login login;
  };
  for (const Case& c : {Case{"mallory", {"SCRAM-SHA-256", "mallory", "mallory-secret"}},
                        Case{"bob", {"SCRAM-SHA-256", "bob", "bob-secret"}}}) {
    SCOPED_TRACE(c.name);
    auto config = secure_config(rk::Config(), kSaslPlaintext, c.login);
    ASSERT_TRUE(config.ok()) << config.error().message;
    ASSERT_TRUE(config.value().set("enable.idempotence", "false").ok());
    auto made = rk::Producer::create(config.value());
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const auto reports = refused_reports(p, topic, 20);
    ASSERT_EQ(reports.size(), 20U);
    for (const auto& r : reports) {
      EXPECT_EQ(r.error, rk::Errc::kBroker) << rk::to_string(r.error) << ": " << r.message;
      EXPECT_EQ(r.kafka_error, kTopicAuthorizationFailed) << r.message;
      EXPECT_TRUE(contains(r.message, "TOPIC_AUTHORIZATION_FAILED")) << r.message;
    }
    // bob's records got as far as a partition leader: the refusal is Produce's.
    if (std::string_view(c.name) == "bob") {
      for (const auto& r : reports) EXPECT_GE(r.partition, 0) << r.message;
    }
    EXPECT_EQ(p.fatal_error(), "");
    std::cout << "[ denial  ] " << c.name << " without idempotence: " << reports.front().message
              << "\n";
  }

  // Idempotent: InitProducerId needs IdempotentWrite on the cluster or Write
  // on some topic (KIP-679); neither user has it, so the producer cannot
  // work at all and says so, and each record still gets its one report.
  for (const Case& c : {Case{"mallory", {"PLAIN", "mallory", "mallory-secret"}},
                        Case{"bob", {"PLAIN", "bob", "bob-secret"}}}) {
    SCOPED_TRACE(std::string(c.name) + " idempotent");
    auto config = secure_config(rk::Config::durable(), kSaslPlaintext, c.login);
    ASSERT_TRUE(config.ok()) << config.error().message;
    auto made = rk::Producer::create(config.value());
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const rk::Topic t = p.topic(topic).value();
    const auto deadline = Clock::now() + kRefusalBound;
    std::vector<rk::DeliveryReport> reports;
    rk::Errc refusal = rk::Errc::kOk;
    const std::size_t accepted = produce_values(p, t, "fatal", 20, reports, refusal);
    while (p.fatal_error().empty() && Clock::now() < deadline) {
      (void)rt::take_reports(p, reports);
      std::this_thread::sleep_for(1ms);
    }
    const std::string fatal = p.fatal_error();
    EXPECT_TRUE(contains(fatal, "CLUSTER_AUTHORIZATION_FAILED"))
        << "fatal_error() within " << kRefusalBound.count() << " s: \"" << fatal << "\"";
    rt::await_reports(p, reports, accepted, deadline);
    EXPECT_EQ(reports.size(), accepted) << "reports within " << kRefusalBound.count() << " s";
    take_late_reports(p, reports);
    expect_one_report_each(reports, accepted);
    for (const auto& r : reports) EXPECT_FALSE(r.ok()) << "record " << index_of(r);
    std::cout << "[ denial  ] " << c.name << " idempotent: fatal_error() \"" << fatal << "\"; "
              << accepted << " accepted";
    if (refusal != rk::Errc::kOk) std::cout << " (then " << rk::to_string(refusal) << ")";
    if (!reports.empty()) {
      std::cout << ", report " << rk::to_string(reports.front().error) << ": "
                << reports.front().message;
    }
    std::cout << "\n";
  }
}

// --- TLS -------------------------------------------------------------------

// A producer for `listener` with `keys` set on the defaults.
rk::Config keyed(const std::string& listener,
                 std::initializer_list<std::pair<std::string, std::string>> keys) {
  rk::Config c;
  c.bootstrap_servers(listener);
  for (const auto& [k, v] : keys) EXPECT_TRUE(c.set(k, v).ok()) << k << "=" << v;
  return c;
}

TEST_F(ProducerSecurity, TlsRefusalsNameTheirCauseWithinSeconds) {
  const SecureBroker& b = SecureBroker::get();
  const std::pair<std::string, std::string> ssl{"security.protocol", "ssl"};
  const std::pair<std::string, std::string> ca{"ssl.ca.location", b.ca_pem()};
  struct Case {
    const char* name;
    rk::Config config;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"untrusted CA (the system's store)", keyed(b.listener("SASL_SSL"),
                                                  {{"security.protocol", "sasl_ssl"},
                                                   {"sasl.mechanism", "PLAIN"},
                                                   {"sasl.username", "alice"},
                                                   {"sasl.password", "alice-secret"}}),
       {"certificate failed verification", "unable to get local issuer certificate",
        "ssl.ca.location"}},
      {"expired certificate", keyed(b.listener("EXPIRED"), {ssl, ca}),
       {"certificate failed verification", "certificate has expired"}},
      {"hostname mismatch", keyed(b.listener("WRONGHOST"), {ssl, ca}),
       {"IP address mismatch", "connected to 127.0.0.1", "the certificate names DNS:otherhost",
        "ssl.endpoint.identification.algorithm=none"}},
      {"no client certificate", keyed(b.listener("SSL"), {ssl, ca}),
       {"alert bad certificate", "ssl.certificate.location"}},
      {"plaintext client on a TLS port", keyed(b.listener("SSL"), {}),
       {"this listener expects TLS"}},
      {"TLS client on a plaintext port", keyed(b.plaintext(), {ssl, ca}),
       {"closed the connection during the handshake", "not a TLS listener"}},
  };
  const std::string topic = new_topic("security-tls-refused");
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto made = rk::Producer::create(c.config);
    ASSERT_TRUE(made.ok()) << made.error().message;
    rk::Producer& p = *made.value();
    const auto reports = refused_reports(p, topic, 20);
    ASSERT_EQ(reports.size(), 20U);
    for (const auto& r : reports) {
      EXPECT_EQ(r.error, rk::Errc::kAuthentication) << rk::to_string(r.error) << ": " << r.message;
      for (const auto& part : c.parts) {
        EXPECT_TRUE(contains(r.message, part)) << "\"" << part << "\" not in: " << r.message;
      }
    }
    EXPECT_EQ(p.fatal_error(), "");
    std::cout << "[ refusal ] " << c.name << ": " << reports.front().message << "\n";
  }
  // The wrong host is accepted with the name check off (the chain is still
  // verified).
  deliver_exactly_once({"ssl", "WRONGHOST", true, "TLSv1.2,TLSv1.3", false, "none"}, kNoSasl, 20,
                       new_topic("security-noverify"));
}

TEST_F(ProducerSecurity, UnusableKeysFailCreate) {
  const SecureBroker& b = SecureBroker::get();
  const std::string pki = b.listener("PKI");
  struct Case {
    const char* key;
    const char* password;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"/nonexistent/alice.key", "", {"ssl.key.location \"/nonexistent/alice.key\"",
                                      "No such file or directory"}},
      {"alice-enc.key", "", {"ssl.key.location", "encrypted and ssl.key.password is not set"}},
      {"alice-enc.key", "not-the-password", {"ssl.key.password does not decrypt the key"}},
      {"bob.key", "", {"does not match the certificate"}},
  };
  for (const Case& c : cases) {
    const std::string key = c.key[0] == '/' ? c.key : pki + "/" + c.key;
    SCOPED_TRACE(key);
    rk::Config config = keyed(b.listener("SSL"), {{"security.protocol", "ssl"},
                                                  {"ssl.ca.location", b.ca_pem()},
                                                  {"ssl.certificate.location", pki + "/alice.pem"},
                                                  {"ssl.key.location", key}});
    if (*c.password != '\0') {
      ASSERT_TRUE(config.set("ssl.key.password", c.password).ok());
    }
    auto made = rk::Producer::create(config);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.error().code, rk::Errc::kInvalidConfig);
    for (const auto& part : c.parts) {
      EXPECT_TRUE(contains(made.error().message, part))
          << "\"" << part << "\" not in: " << made.error().message;
    }
    std::cout << "[ create  ] " << made.error().message << "\n";
  }
}

// KIP-368 under load: the REAUTH listener's sessions last 10 s, and the
// producer renews each before it ends, holding new requests only while
// those in flight drain, so nothing is lost, duplicated or disconnected.
// RINGKAFKA_REAUTH_SECONDS sets the length (tools/security-full: 60).
TEST_F(ProducerSecurity, ReauthenticatesUnderLoadWithoutADisconnect) {
  const char* env = std::getenv("RINGKAFKA_REAUTH_SECONDS");
  const long seconds =
      env != nullptr && *env != '\0' ? std::strtol(env, nullptr, 10) : (quick() ? 12 : 25);
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
  std::size_t accepted = 0;
  std::uint64_t connections_at_start = 0;
  const auto start = Clock::now();
  for (int tick = 0; Clock::now() < start + std::chrono::seconds(seconds); ++tick) {
    for (int i = 0; i < 200; ++i) {
      const std::string value = topic + "-" + std::to_string(accepted);
      if (p.produce(t, rk::Bytes::null(), value, {}, rk::kTimestampNow, opaque_of(accepted)) ==
          rk::Errc::kOk) {
        ++accepted;
      }
    }
    (void)rt::take_reports(p, reports);
    if (tick == 100) connections_at_start = p.stats().connections;  // after a second
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * (tick + 1)));
  }
  EXPECT_EQ(p.flush(30s), rk::Errc::kOk);
  rt::await_reports(p, reports, accepted, Clock::now() + 30s);
  take_late_reports(p, reports);
  expect_one_report_each(reports, accepted);
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << "record " << index_of(r) << ": " << r.message;
  }
  const rk::ProducerStats st = p.stats();
  std::cout << "[ reauth  ] " << seconds << " s, " << accepted << " records, "
            << st.reauthentications << " re-authentications, " << st.connections
            << " connections\n";
  // Two connections (bootstrap and broker), each renewed every 8.5-9.5 s.
  EXPECT_GE(st.reauthentications, static_cast<std::uint64_t>(2 * (seconds / 10)));
  EXPECT_EQ(st.connections, connections_at_start) << "a connection was made again";
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);

  std::vector<rt::KcatRecord> records;
  ASSERT_EQ(rt::kcat_read_topic(SecureBroker::get().plaintext(), topic, records, accepted), "");
  EXPECT_EQ(records.size(), accepted);
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r.value.value_or("(null)")];
  for (std::size_t i = 0; i < accepted; ++i) {
    EXPECT_EQ(seen[topic + "-" + std::to_string(i)], 1) << "record " << i;
  }
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
  std::size_t accepted = 0;
  const auto start = Clock::now();
  std::thread restart([&] {
    std::this_thread::sleep_until(start + 5s);
    EXPECT_EQ(SecureBroker::get().command("kill-node 1 --signal TERM").exit_code, 0);
    EXPECT_EQ(SecureBroker::get().command("start-node 1").exit_code, 0);
  });
  // 2,000 records/s until 15 s after the restart began.
  for (int tick = 0; Clock::now() < start + 50s; ++tick) {
    for (int i = 0; i < 20; ++i) {
      const std::string value = topic + "-" + std::to_string(accepted);
      if (p.produce(t, rk::Bytes::null(), value, {}, rk::kTimestampNow, opaque_of(accepted)) ==
          rk::Errc::kOk) {
        ++accepted;
      }
    }
    (void)rt::take_reports(p, reports);
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * (tick + 1)));
  }
  restart.join();
  EXPECT_EQ(p.flush(60s), rk::Errc::kOk);
  rt::await_reports(p, reports, accepted, Clock::now() + 60s);
  take_late_reports(p, reports);
  expect_one_report_each(reports, accepted);
  for (const auto& r : reports) {
    ASSERT_TRUE(r.ok()) << "record " << index_of(r) << ": " << r.message;
  }
  std::cout << "[ restart ] " << accepted << " records, " << p.stats().connections
            << " connections\n";
  EXPECT_GT(p.stats().connections, 2U) << "the restart did not break the connection";
  EXPECT_EQ(p.close(10s), rk::Errc::kOk);
  std::vector<rt::KcatRecord> records;
  ASSERT_EQ(rt::kcat_read_topic(SecureBroker::get().plaintext(), topic, records, accepted), "");
  EXPECT_EQ(records.size(), accepted);
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r.value.value_or("(null)")];
  for (std::size_t i = 0; i < accepted; ++i) {
    EXPECT_EQ(seen[topic + "-" + std::to_string(i)], 1) << "record " << i;
  }
}

// OAUTHBEARER with the application's tokens (Config::oauthbearer_token_callback):
// each token lasts 12 s, the REAUTH listener's sessions at most 10 s.  The
// library fetches new tokens on its own thread before they expire and the
// connections renew their sessions with them, while the application never
// calls poll(): after 25 s the callback has run again and again, nothing
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
  const long seconds = quick() ? 12 : 25;
  std::size_t accepted = 0;
  std::uint64_t connections_at_start = 0;
  const auto start = Clock::now();
  for (int tick = 0; Clock::now() < start + std::chrono::seconds(seconds); ++tick) {
    const std::string value = topic + "-" + std::to_string(accepted);
    if (p.produce(t, rk::Bytes::null(), value, {}, rk::kTimestampNow, opaque_of(accepted)) ==
        rk::Errc::kOk) {
      ++accepted;
    }
    if (tick == 100) connections_at_start = p.stats().connections;
    std::this_thread::sleep_until(start + std::chrono::milliseconds(10 * (tick + 1)));
  }
  const int fetched = calls.calls.load();
  std::vector<rk::DeliveryReport> reports;
  EXPECT_EQ(p.flush(30s), rk::Errc::kOk);
  rt::await_reports(p, reports, accepted, Clock::now() + 30s);
  take_late_reports(p, reports);
  expect_one_report_each(reports, accepted);
  for (const auto& r : reports) ASSERT_TRUE(r.ok()) << "record " << index_of(r) << ": " << r.message;
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
