// Integration tests' access to the real Kafka broker started by
// tools/kafka-local, and to the command-line tools used to check our work.
#pragma once

#include <string>
#include <vector>
#include <string_view>

namespace ringkafka::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout only; stderr goes to the test log
};

// The path of tools/kafka-local: $RINGKAFKA_KAFKA_LOCAL (meson sets it).
std::string kafka_local();

// Runs `command` through /bin/sh with `input` on its stdin.
CommandResult run_command(const std::string& command, std::string_view input = {});

// The bootstrap string of the broker under test: $RINGKAFKA_BOOTSTRAP when
// set (tools/test sets it), else whatever `tools/kafka-local status` reports.
// Empty when no broker is reachable.
std::string broker_bootstrap();

// A topic name no other test run has used.
std::string unique_topic(std::string_view prefix);

// Creates a topic with tools/kafka-local (Kafka's own admin tool) and waits
// for its leaders; `configs` are topic configs ("max.message.bytes=1000").
// Returns false, with the tool's output logged, on failure.
bool create_topic(const std::string& name, int partitions, int replication = 1,
                  const std::vector<std::string>& configs = {});

}  // namespace ringkafka::testing

// Use in a fixture's SetUp: skips when no broker is reachable, except in CI
// (CI set in the environment), where a missing broker is a failure.
#define RINGKAFKA_REQUIRE_BROKER(bootstrap_var)                                        \
  do {                                                                                 \
    bootstrap_var = ::ringkafka::testing::broker_bootstrap();                          \
    if (bootstrap_var.empty()) {                                                       \
      if (std::getenv("CI") != nullptr) {                                              \
        FAIL() << "CI is set but no Kafka broker is reachable: integration tests "     \
                  "need tools/test (or tools/kafka-local start)";                      \
      }                                                                                \
      GTEST_SKIP() << "no Kafka broker reachable; start one with tools/kafka-local "   \
                      "start or run tools/test";                                       \
    }                                                                                  \
  } while (0)
