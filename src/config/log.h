// The producer's log: lines at syslog levels, debug lines selected by
// librdkafka's contexts (key `debug`), to Config::log_callback or stderr,
// and producer-wide errors to Config::error_callback (or the log).
//
// Written from the sender thread and the token thread, never from the
// producing side.  A line is formatted into a buffer on the stack: no
// allocation, one callback or one write to stderr per line.  Callers test
// enabled() first (RK_LOG does), so a line nobody reads costs a compare.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "ringkafka/config.h"
#include "ringkafka/error.h"

namespace ringkafka::config {

// librdkafka's debug contexts, as bits of Log's mask.  A producer has no
// use for some (cgrp, fetch, consumer, ...): they are accepted and log
// nothing, so a `debug` value copied from a librdkafka setup still works.
enum class Context : std::uint32_t {
  kGeneric = 1U << 0,
  kBroker = 1U << 1,     // connections: resolving, connecting, failures, handshake
  kTopic = 1U << 2,
  kMetadata = 1U << 3,   // Metadata requests and what they said
  kFeature = 1U << 4,    // ApiVersions: the versions negotiated
  kQueue = 1U << 5,
  kMsg = 1U << 6,        // Produce answers: throttling, errors, retries
  kProtocol = 1U << 7,   // malformed answers
  kCgrp = 1U << 8,
  kSecurity = 1U << 9,   // TLS and SASL
  kFetch = 1U << 10,
  kInterceptor = 1U << 11,
  kPlugin = 1U << 12,
  kConsumer = 1U << 13,
  kAdmin = 1U << 14,
  kEos = 1U << 15,       // idempotence and transactions (alias: idempotence)
  kMock = 1U << 16,
  kAssignor = 1U << 17,
  kConf = 1U << 18,
  kTelemetry = 1U << 19,
};

struct ContextName {
  std::string_view name;
  std::uint32_t bits;
};
// Every name `debug` takes, with "all" and the alias "idempotence".
[[nodiscard]] std::span<const ContextName> context_names() noexcept;
[[nodiscard]] std::string_view context_name(Context c) noexcept;
// `debug`'s comma-separated list as a mask; false, with the first name
// that is not a context in `bad`, if there is one.
bool parse_contexts(std::string_view list, std::uint32_t& mask, std::string_view& bad) noexcept;

class Log {
 public:
  Log() = default;
  Log(LogCallback log_fn, void* log_context, ErrorCallback error_fn, void* error_context,
      int level, std::uint32_t debug, std::string client_id)
      : log_(log_fn), log_context_(log_context), error_(error_fn), error_context_(error_context),
        level_(level), debug_(debug), client_id_(std::move(client_id)) {}

  // A debug line is written when its context is in `debug`; any other
  // when its level is at most log_level.
  [[nodiscard]] bool enabled(LogLevel level, Context c) const noexcept {
    const int l = static_cast<int>(level);
    if (l > level_) return false;
    return level != LogLevel::kDebug || (debug_ & static_cast<std::uint32_t>(c)) != 0;
  }
  [[nodiscard]] bool debugging(Context c) const noexcept { return enabled(LogLevel::kDebug, c); }

  __attribute__((format(printf, 4, 5))) void write(LogLevel level, Context c, const char* fmt,
                                                   ...) const noexcept;
  // The same, with the facility given as text ("error").
  void line(LogLevel level, std::string_view facility, std::string_view message) const noexcept;
  // A producer-wide error: to the error callback, else logged at kError.
  __attribute__((format(printf, 3, 4))) void error(Errc code, const char* fmt, ...) const noexcept;

 private:
  LogCallback log_ = nullptr;
  void* log_context_ = nullptr;
  ErrorCallback error_ = nullptr;
  void* error_context_ = nullptr;
  int level_ = static_cast<int>(LogLevel::kInfo);
  std::uint32_t debug_ = 0;
  std::string client_id_ = "ringkafka";
};

}  // namespace ringkafka::config

// A line if anyone will read it: the arguments are not evaluated otherwise.
#define RK_LOG(log, level, context, ...)                                       \
  do {                                                                         \
    if ((log).enabled((level), (context))) (log).write((level), (context), __VA_ARGS__); \
  } while (0)
#define RK_DEBUG(log, context, ...) \
  RK_LOG(log, ::ringkafka::LogLevel::kDebug, ::ringkafka::config::Context::context, __VA_ARGS__)
