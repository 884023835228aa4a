// The same workload through the Java client: tools/perf/java/JavaPerf.java
// (embedded in ringkafka-perf at build time) run by `java` from the
// kafka-clients jars tools/kafka-local fetches, as a child process, with the
// same records, schedule and settings.  See JavaPerf.java for what its
// numbers mean (its "ack" is the send() callback, on the I/O thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rdkafka_client.h"  // KeyValues
#include "config/settings.h"
#include "transactions.h"
#include "workload.h"

namespace perf {

// The Java client's keys for ringkafka's resolved settings (the table in
// java_client.cpp and --help).
KeyValues java_config_for(const ringkafka::config::Settings& s, std::string_view bootstrap);

// Where the jars are: `libs` if given, else $RINGKAFKA_JAVA_LIBS, else what
// the source tree's tools/kafka-local fetch prints (it fetches them once).
std::optional<std::string> find_java_libs(std::string_view libs, std::string& error);

// Runs the workload in a JVM; nullopt on success, else what went wrong.
std::optional<std::string> run_java(const KeyValues& config, const std::string& libs,
                                    std::string_view topic, const Workload& w, RunResult& out);

// --mode transactions through the Java client (tools/perf/transactions.h):
// the plain run, then the transactional one with `transactional_id`.
std::optional<std::string> run_java_transactions(const KeyValues& config, const std::string& libs,
                                                 std::string_view topic,
                                                 const std::string& transactional_id,
                                                 const TxnWorkload& w, TxnResult& out);

}  // namespace perf
