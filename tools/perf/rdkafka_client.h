// The same workload through librdkafka: one rd_kafka_t shared by the
// producing threads, rd_kafka_producev with RD_KAFKA_MSG_F_COPY on a topic
// handle resolved once (as ringkafka's Topic is), delivery reports served by
// rd_kafka_poll on each producing thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../common/cli_config.h"
#include "config/settings.h"
#include "workload.h"

namespace perf {

using KeyValues = ringkafka::cli::KeyValues;  // key=value pairs, in order

// librdkafka's keys for ringkafka's resolved settings (see the table in
// rdkafka_client.cpp and --help).
KeyValues rdkafka_config_for(const ringkafka::config::Settings& s, std::string_view bootstrap);

// As run_ringkafka, with librdkafka configured by `config`, in order.
std::optional<std::string> run_rdkafka(const KeyValues& config, std::string_view topic,
                                       const Workload& w, RunResult& out);

}  // namespace perf
