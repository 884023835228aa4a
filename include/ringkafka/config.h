// ringkafka — producer configuration.
//
// A Config is a set of string keys and values, as in the Java client and
// librdkafka, with the same names and meanings where those clients have
// the setting (bootstrap.servers, acks, linger.ms, batch.size, ...), plus
// ringkafka's own keys for what they do not have (ring.bytes, sender.cpu,
// sender.idle.strategy, ...).  docs/configuration.md lists every key with
// its default, range and meaning, and which presets set it.
//
// set() checks the key and the value's form at once; create() checks the
// whole (ranges, combinations such as enable.idempotence=true with acks=1)
// and refuses a producer with an error naming the key.
//
//   ringkafka::Config config = ringkafka::Config::low_latency();
//   config.set("bootstrap.servers", "localhost:9092").value();  // throws, naming the key
//   if (!config.set("linger.ms", "1")) { /* ... */ }  // a preset is only a starting point
#pragma once

#include "ringkafka/export.h"  // first: it stops a pre-C++20 build with the reason

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ringkafka/error.h"
#include "ringkafka/statistics.h"

namespace ringkafka {

struct DeliveryReport;

/// Called on the sender thread for every delivery report, when set with
/// Config::delivery_callback.  It must be quick and must not block: the
/// sender does nothing else while it runs.  It must not call produce(),
/// flush() or close() on the same producer.
using DeliveryCallback = void (*)(const DeliveryReport& report, void* context) noexcept;

/// An OAUTHBEARER token the application obtained (from its identity
/// provider), for sasl.mechanism=OAUTHBEARER.
struct OAuthBearerToken {
  std::string value;          ///< the token (a compact JWS), sent as "auth=Bearer <value>"
  std::int64_t expiry_ms = 0; ///< when it expires, in ms since the epoch (its "exp")
  std::string principal;      ///< who it names, for messages
  std::vector<std::pair<std::string, std::string>> extensions;  ///< SASL extensions (KIP-342)
};

/// Gives the current token, or an error saying why there is none.  Called
/// on a thread of the producer's own, never the sender's and never from
/// poll(): once in Producer::create (whose error it becomes), then again at
/// 80 % (give or take 5 %) of each token's remaining lifetime, so the
/// connections re-authenticate with a fresh one (KIP-368) before the old
/// one expires.  It may block (an HTTP request to the identity provider).
/// After an error the previous token stays in use until it expires and the
/// call is repeated, backing off from 1 s to 10 s.
using OAuthBearerTokenCallback = Result<OAuthBearerToken> (*)(void* context);

/// Log levels, syslog's (as librdkafka's log_level and log_cb).
enum class LogLevel : int {
  kEmergency = 0,
  kAlert = 1,
  kCritical = 2,
  kError = 3,
  kWarning = 4,
  kNotice = 5,
  kInfo = 6,
  kDebug = 7,
};

/// A log line, when set with Config::log_callback: `facility` is a debug
/// context's name ("broker", "metadata", "eos", ...) for kDebug lines, and
/// for others what the line is about ("broker", "error", "security", ...).
/// Called on the sender thread and, with an OAUTHBEARER token callback, on
/// the token thread (so it must be safe to call from two threads), never
/// from produce() or poll().  It must be quick: the sender waits for it.
/// Without one, lines go to stderr as librdkafka's do:
///   %3|1764740000.123|BROKER|client.id| cannot connect to 127.0.0.1:1: Connection refused
using LogCallback = void (*)(LogLevel level, std::string_view facility, std::string_view message,
                             void* context) noexcept;

/// A producer-wide event, when set with Config::error_callback: a broker
/// that cannot be reached (kTransport, kResolve, with the cause), all
/// brokers down (kAllBrokersDown), credentials refused (kAuthentication),
/// a fatal error (kFatal).  Informational: the producer goes on retrying
/// (except after kFatal), and records keep their own delivery reports.
/// Each cause is said once per broker until that broker is reachable again.
/// Same threads and rules as LogCallback.  Without one, each event is
/// logged at LogLevel::kError.
using ErrorCallback = void (*)(Errc error, std::string_view reason, void* context) noexcept;

class RINGKAFKA_API Config {
 public:
  /// The defaults: the Java client's where it has the key (acks=all,
  /// enable.idempotence=true, linger.ms=5, batch.size=16384, ...).
  Config() = default;

  /// The presets, each a Config that can still be changed key by key:
  ///   low_latency  linger.ms=0, batch.size=16384, acks=1, no idempotence,
  ///                compression none, max.block.ms=0, sender.idle.strategy=spin
  ///                (the sender thread keeps one core busy, even while idle)
  ///   durable      acks=all, enable.idempotence=true,
  ///                max.in.flight.requests.per.connection=5, retries bounded
  ///                by delivery.timeout.ms
  ///   throughput   linger.ms=5, batch.size=131072, compression lz4, acks=1
  static Config low_latency();
  static Config durable();
  static Config throughput();
  /// By name; an error lists the names.
  static Result<Config> preset(std::string_view name);

  /// Sets one key.  Errors (kInvalidConfig): an unknown key, or a value of
  /// the wrong form (not a number, not one of the allowed words).
  Result<std::monostate> set(std::string_view key, std::string_view value);
  /// The value set for `key`, if it was set (presets set keys too).
  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;
  /// Every key set so far, in key order.
  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& values() const noexcept {
    return values_;
  }

  /// Typed shortcuts for the keys set most often.  They store the value as
  /// set() would; a value out of range is reported by Producer::create.
  Config& bootstrap_servers(std::string_view servers);
  Config& client_id(std::string_view id);
  Config& acks(int acks);  ///< 0, 1 or -1 (all)
  Config& linger_ms(std::int64_t ms);
  Config& batch_size(std::int64_t bytes);
  Config& compression(std::string_view codec);  ///< none, gzip, snappy, lz4, zstd
  Config& enable_idempotence(bool on);
  Config& max_block_ms(std::int64_t ms);
  Config& delivery_timeout_ms(std::int64_t ms);

  /// Delivery reports through a callback on the sender thread instead of
  /// poll() on the producing threads.
  Config& delivery_callback(DeliveryCallback fn, void* context = nullptr) noexcept {
    callback_ = fn;
    callback_context_ = context;
    return *this;
  }
  [[nodiscard]] DeliveryCallback callback() const noexcept { return callback_; }
  [[nodiscard]] void* callback_context() const noexcept { return callback_context_; }

  /// OAUTHBEARER tokens from the application (see OAuthBearerTokenCallback);
  /// instead of enable.sasl.oauthbearer.unsecure.jwt.
  Config& oauthbearer_token_callback(OAuthBearerTokenCallback fn, void* context = nullptr) noexcept {
    token_callback_ = fn;
    token_context_ = context;
    return *this;
  }
  [[nodiscard]] OAuthBearerTokenCallback token_callback() const noexcept { return token_callback_; }
  [[nodiscard]] void* token_context() const noexcept { return token_context_; }

  /// Log lines (see LogCallback) and which are written: keys log_level
  /// (0-7, default 6) and debug (librdkafka's contexts: broker, protocol,
  /// metadata, msg, eos, security, ... or all).
  Config& log_callback(LogCallback fn, void* context = nullptr) noexcept {
    log_callback_ = fn;
    log_context_ = context;
    return *this;
  }
  [[nodiscard]] LogCallback log_callback() const noexcept { return log_callback_; }
  [[nodiscard]] void* log_context() const noexcept { return log_context_; }

  /// Statistics snapshots every statistics.interval.ms (ringkafka/statistics.h).
  Config& statistics_callback(StatisticsCallback fn, void* context = nullptr) noexcept {
    statistics_callback_ = fn;
    statistics_context_ = context;
    return *this;
  }
  [[nodiscard]] StatisticsCallback statistics_callback() const noexcept {
    return statistics_callback_;
  }
  [[nodiscard]] void* statistics_context() const noexcept { return statistics_context_; }

  /// Producer-wide errors (see ErrorCallback).
  Config& error_callback(ErrorCallback fn, void* context = nullptr) noexcept {
    error_callback_ = fn;
    error_context_ = context;
    return *this;
  }
  [[nodiscard]] ErrorCallback error_callback() const noexcept { return error_callback_; }
  [[nodiscard]] void* error_context() const noexcept { return error_context_; }

 private:
  Config& put(std::string_view key, std::string value);

  std::map<std::string, std::string, std::less<>> values_;
  DeliveryCallback callback_ = nullptr;
  void* callback_context_ = nullptr;
  OAuthBearerTokenCallback token_callback_ = nullptr;
  void* token_context_ = nullptr;
  LogCallback log_callback_ = nullptr;
  void* log_context_ = nullptr;
  ErrorCallback error_callback_ = nullptr;
  void* error_context_ = nullptr;
  StatisticsCallback statistics_callback_ = nullptr;
  void* statistics_context_ = nullptr;
};

}  // namespace ringkafka
