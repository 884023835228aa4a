#include "ringkafka/config.h"

#include <string>

#include "config/keys.h"
#include "ringkafka/error.h"

namespace ringkafka {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::kOk: return "ok";
    case Errc::kQueueFull: return "queue full";
    case Errc::kTimedOut: return "timed out waiting for room";
    case Errc::kRecordTooLarge: return "record too large";
    case Errc::kInvalidArgument: return "invalid argument";
    case Errc::kTooManyThreads: return "too many producing threads";
    case Errc::kClosed: return "producer closed";
    case Errc::kBroker: return "refused by the broker";
    case Errc::kMessageTimedOut: return "delivery timed out";
    case Errc::kUnknownTopic: return "unknown topic";
    case Errc::kPartitionOutOfRange: return "partition out of range";
    case Errc::kPurged: return "purged at close";
    case Errc::kFatal: return "fatal producer error";
    case Errc::kInvalidConfig: return "invalid configuration";
    case Errc::kResource: return "out of resources";
    case Errc::kTooManyTopics: return "too many topics";
    case Errc::kState: return "not in a state for this call";
    case Errc::kTransaction: return "transactional call failed";
    case Errc::kAborted: return "transaction aborted";
    case Errc::kAuthentication: return "authentication failed";
    case Errc::kReportQueueFull: return "report queue full (poll() to empty it)";
    case Errc::kTransport: return "broker connection failed";
    case Errc::kResolve: return "broker host name did not resolve";
    case Errc::kAllBrokersDown: return "all brokers down";
  }
  return "unknown error";
}

namespace {

class Category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "ringkafka"; }
  [[nodiscard]] std::string message(int value) const override {
    return to_string(static_cast<Errc>(value));
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

Config Config::low_latency() {
  Config c;
  c.put("linger.ms", "0")
      .put("batch.size", "16384")
      .put("acks", "1")
      .put("enable.idempotence", "false")
      .put("compression.type", "none")
      .put("max.block.ms", "0")
      // The sender keeps its core: a record is picked up within
      // nanoseconds instead of after a park (docs/configuration.md).
      .put("sender.idle.strategy", "spin");
  return c;
}

Config Config::durable() {
  Config c;
  // retries stays at its maximum; delivery.timeout.ms is what bounds them.
  c.put("acks", "all")
      .put("enable.idempotence", "true")
      .put("max.in.flight.requests.per.connection", "5")
      .put("retries", "2147483647");
  return c;
}

Config Config::throughput() {
  Config c;
  c.put("linger.ms", "5")
      .put("batch.size", "131072")
      .put("compression.type", "lz4")
      .put("acks", "1")
      .put("enable.idempotence", "false");
  return c;
}

Result<Config> Config::preset(std::string_view name) {
  if (name == "low_latency") return low_latency();
  if (name == "durable") return durable();
  if (name == "throughput") return throughput();
  return Error{Errc::kInvalidConfig, "preset: \"" + std::string(name) +
                                         "\" is not one of low_latency, durable, throughput"};
}

Result<std::monostate> Config::set(std::string_view key, std::string_view value) {
  const config::KeyInfo* info = config::find_key(key);
  if (info == nullptr) return config::unknown_key(key);
  auto form = config::read_form(*info, key, value);
  if (!form.ok()) return form.error();
  // An alias is stored under the key it names, so the last one set wins.
  put(info->name, std::string(value));
  return std::monostate{};
}

std::optional<std::string> Config::get(std::string_view key) const {
  const config::KeyInfo* info = config::find_key(key);
  const auto it = values_.find(info != nullptr ? info->name : key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Config& Config::bootstrap_servers(std::string_view servers) {
  return put("bootstrap.servers", std::string(servers));
}
Config& Config::client_id(std::string_view id) { return put("client.id", std::string(id)); }
Config& Config::acks(int acks) { return put("acks", std::to_string(acks)); }
Config& Config::linger_ms(std::int64_t ms) { return put("linger.ms", std::to_string(ms)); }
Config& Config::batch_size(std::int64_t bytes) {
  return put("batch.size", std::to_string(bytes));
}
Config& Config::compression(std::string_view codec) {
  return put("compression.type", std::string(codec));
}
Config& Config::enable_idempotence(bool on) {
  return put("enable.idempotence", on ? "true" : "false");
}
Config& Config::max_block_ms(std::int64_t ms) { return put("max.block.ms", std::to_string(ms)); }
Config& Config::delivery_timeout_ms(std::int64_t ms) {
  return put("delivery.timeout.ms", std::to_string(ms));
}

Config& Config::put(std::string_view key, std::string value) {
  values_.insert_or_assign(std::string(key), std::move(value));
  return *this;
}

}  // namespace ringkafka
