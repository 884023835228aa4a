// The same workload through librdkafka: one rd_kafka_t shared by the
// producing threads, rd_kafka_producev with RD_KAFKA_MSG_F_COPY on a topic
// handle resolved once (as ringkafka's Topic is), delivery reports served by
// rd_kafka_poll on each producing thread.
#pragma once

#include <librdkafka/rdkafka.h>

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

// A librdkafka producer and its topic handle, destroyed together.
struct RdkafkaHandles {
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* rkt = nullptr;
  RdkafkaHandles() = default;
  RdkafkaHandles(const RdkafkaHandles&) = delete;
  RdkafkaHandles& operator=(const RdkafkaHandles&) = delete;
  ~RdkafkaHandles();
};
// Makes them from `config`, in order, with `on_delivery` as the delivery
// report callback and `opaque` as its opaque; a message on failure.
using RdkafkaDelivery = void (*)(rd_kafka_t*, const rd_kafka_message_t*, void*);
std::optional<std::string> make_rdkafka(const KeyValues& config, std::string_view topic,
                                        RdkafkaDelivery on_delivery, void* opaque,
                                        RdkafkaHandles& out);

// As run_ringkafka, with librdkafka configured by `config`, in order.
std::optional<std::string> run_rdkafka(const KeyValues& config, std::string_view topic,
                                       const Workload& w, RunResult& out);

}  // namespace perf
