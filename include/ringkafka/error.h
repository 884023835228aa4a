// ringkafka — what can go wrong, as values.  The hot path (produce(),
// poll()) returns an Errc and never throws; the control plane (creating a
// producer, resolving a topic) returns a Result carrying a message that
// names what was wrong.  Errc is a std::error_code enum (category
// "ringkafka"), so `std::error_code ec = Errc::kTimedOut;` works, and
// Result::value() on an error throws an Exception carrying the message.
#pragma once

#include "ringkafka/export.h"  // first: it stops a pre-C++20 build with the reason

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace ringkafka {

/// Every answer ringkafka gives, grouped by where it comes from.  Values
/// are stable (new ones are added at the end of their group's numbers).
enum class Errc : std::uint8_t {
  /// success
  kOk = 0,
  // --- from produce(): the record was NOT accepted; no report will follow --
  /// the thread's ring is full and max.block.ms = 0 (or
  /// kTimedOut after waiting); the sender will make room
  kQueueFull,
  /// still full after max.block.ms
  kTimedOut,
  /// larger than max.request.size allows (Producer::max_record_size()), or
  /// than the ring can ever hold; the message has the size and the limit
  kRecordTooLarge,
  /// a bad topic handle, partition < -1, timestamp < -1, header name too
  /// long; from topic(): a name Kafka would refuse
  kInvalidArgument,
  /// more producing threads than producer.threads.max
  kTooManyThreads,
  /// produce() after close()
  kClosed,
  // --- in a delivery report: the record WAS accepted and is now lost ------
  /// the broker refused it; kafka_error says why
  kBroker,
  /// not acknowledged within delivery.timeout.ms
  kMessageTimedOut,
  /// the topic does not exist (after topic.metadata.propagation.max.ms)
  kUnknownTopic,
  /// an explicit partition the topic does not have
  kPartitionOutOfRange,
  /// close() ran out of time before the record could be sent
  kPurged,
  /// the producer hit an unrecoverable state (fatal_error() says which)
  kFatal,
  // --- from create() and topic() ---------------------------------------------
  /// a setting out of range, or settings that do not fit together
  kInvalidConfig,
  /// memory, io_uring or a thread could not be had
  kResource,
  /// more topics than topics.max
  kTooManyTopics,
  // --- transactions (docs/transactions.md) -----------------------------------
  /// the call does not fit the producer's state: produce() or
  /// commit without an open transaction, init twice, ...
  kState,
  /// a transactional call failed: Error::kind says what may follow
  kTransaction,
  /// in a delivery report: the record's transaction was aborted
  kAborted,
  /// the brokers refused the credentials (SASL) or TLS failed; the
  /// message has the broker's or OpenSSL's reason
  kAuthentication,
  // --- from produce(), not accepted (after kAuthentication to keep values) --
  /// the thread's report queue is full: only this thread's poll()
  /// makes room, so it is said at once, whatever max.block.ms
  kReportQueueFull,
  // --- to the error callback (Config::error_callback) -------------------------
  /// a broker could not be reached or dropped the connection
  /// (refused, reset, timed out connecting); the message has the cause
  kTransport,
  /// a broker's host name did not resolve
  kResolve,
  /// no broker the producer knows is reachable
  kAllBrokersDown,
};

/// What a caller may do after a failed transactional call, as librdkafka's
/// rd_kafka_error_is_retriable / txn_requires_abort / is_fatal and Kafka's
/// KIP-1050 group it.
/// What may follow a failed call (Error::kind).
enum class ErrorKind : std::uint8_t {
  /// bad input or misuse: this call will not work as made
  kPermanent,
  /// call the same function again (a timed-out call resumes where it was)
  kRetriable,
  /// abort_transaction(), then go on with a new transaction
  kAbortable,
  /// the producer cannot go on: destroy it (and make a new one)
  kFatal,
};

/// A short fixed description ("queue full"); never null, never allocated.
[[nodiscard]] RINGKAFKA_API const char* to_string(Errc code) noexcept;

/// produce() refused a record for want of room, a full ring or a full report
/// queue: nothing was accepted; poll() (which empties the report queue and
/// lets the sender drain the ring) and try again.
[[nodiscard]] constexpr bool is_full(Errc code) noexcept {
  return code == Errc::kQueueFull || code == Errc::kReportQueueFull;
}

/// The "ringkafka" error category: message() is to_string(); kOk is 0, so
/// a default std::error_code means no error as usual.
[[nodiscard]] RINGKAFKA_API const std::error_category& error_category() noexcept;
[[nodiscard]] inline std::error_code make_error_code(Errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

/// A control-plane error: the code and a message naming the key, value or
/// resource at fault, e.g. `acks: "2" is not one of 0, 1, -1, all`.
struct Error {
  Errc code = Errc::kOk;
  std::string message;
  ErrorKind kind = ErrorKind::kPermanent;

  [[nodiscard]] bool retriable() const noexcept { return kind == ErrorKind::kRetriable; }
  [[nodiscard]] bool txn_requires_abort() const noexcept { return kind == ErrorKind::kAbortable; }
  [[nodiscard]] bool fatal() const noexcept { return kind == ErrorKind::kFatal; }
};

/// What Result::value() throws when there is no value: a std::system_error
/// whose code() is the Errc and whose what() is the message, with the whole
/// Error at error().
class Exception : public std::system_error {
 public:
  explicit Exception(Error error)
      : std::system_error(make_error_code(error.code), error.message), error_(std::move(error)) {}
  [[nodiscard]] const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

/// The value or the error; a minimal std::expected (C++23) for C++20.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  /// The value; without one, throws Exception with the error (so
  /// `Producer::create(c).value()` fails with the message, not a
  /// std::bad_variant_access).  operator-> and * assume ok().
  T& value() & {
    if (!ok()) throw Exception(std::get<1>(v_));
    return std::get<0>(v_);
  }
  T&& value() && {
    if (!ok()) throw Exception(std::get<1>(std::move(v_)));
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  /// Only when !ok().
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace ringkafka

/// @cond INTERNAL
template <>
struct std::is_error_code_enum<ringkafka::Errc> : std::true_type {};
/// @endcond
