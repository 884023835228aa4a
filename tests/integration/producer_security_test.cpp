// The producer against real Kafka's authenticated listeners (tools/kafka-local
// start --security, security_broker.h): every listener, mechanism and TLS
// version delivers exactly once, checked with kcat; a refused login, a
// certificate that does not verify, a listener of the other kind and an
// ACL denial each end every record in a report that names the cause,
// promptly, not after delivery.timeout.ms; keys that cannot be used fail
// create().  The sessions over time (re-authentication, a restart, tokens)
// are producer_security_sessions_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "security_broker.h"

namespace {

using namespace ringkafka::testing::security;

// One topic for every refusal and denial (each topic made costs a JVM run);
// nothing reaches it but the records with the name check off.
const std::string& refusal_topic() {
  static const std::string topic = ProducerSecurity::new_topic("security-refused");
  return topic;
}

// Every listener x mechanism x TLS version the issue names.
TEST_F(ProducerSecurity, EveryListenerAndMechanismDeliversExactlyOnce) {
  constexpr std::size_t kRecords = 200;
  // One topic for every row, each row's values prefixed with its name.
  const std::string topic = new_topic("security-matrix");
  std::map<std::string, std::size_t> rows;
  const auto row = [&](const Transport& t, const Login& l) {
    std::string name = std::string(t.listener) + "-" + (t.tls ? t.versions : "tcp") + "-" +
                       (l.mechanism != nullptr ? l.mechanism : "mtls");
    SCOPED_TRACE(name);
    deliver(t, l, kRecords, topic, name);
    rows[name] = kRecords;
  };
  if (quick()) {
    row(kSaslSsl13, {"SCRAM-SHA-512", "alice", "alice-secret"});
    row(kSsl12, kNoSasl);
  } else {
    for (const Transport* t : {&kSaslPlaintext, &kSaslSsl12, &kSaslSsl13}) {
      for (const char* mechanism : {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}) {
        row(*t, {mechanism, "alice", "alice-secret"});
      }
    }
    for (const Transport* t : {&kSsl12, &kSsl13}) row(*t, kNoSasl);
  }
  expect_read_back_once(topic, rows);
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
  const std::string& topic = refusal_topic();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto config = secure_config(rk::Config(), c.transport, c.login);
    ASSERT_TRUE(config.ok()) << config.error().message;
    expect_refused(config.value(), topic, c.name, c.parts);
  }
}

TEST_F(ProducerSecurity, AclDenialsNameTheirCode) {
  constexpr std::int16_t kTopicAuthorizationFailed = 29;
  const std::string& topic = refusal_topic();

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
  const std::string& topic = refusal_topic();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_refused(c.config, topic, c.name, c.parts);
  }
  // The wrong host is accepted with the name check off (the chain is still
  // verified).
  deliver({"ssl", "WRONGHOST", true, "TLSv1.2,TLSv1.3", false, "none"}, kNoSasl, 20, topic,
          "noverify");
  expect_read_back_once(topic, {{"noverify", 20}});
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

}  // namespace
