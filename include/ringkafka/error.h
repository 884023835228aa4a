// ringkafka — what can go wrong, as values.  The hot path (produce(),
// poll()) returns an Errc and never throws; the control plane (creating a
// producer, resolving a topic) returns a Result carrying a message that
// names what was wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "ringkafka/export.h"

namespace ringkafka {

enum class Errc : std::uint8_t {
  kOk = 0,
  // --- from produce(): the record was NOT accepted; no report will follow --
  kQueueFull,         // the ring is full and max.block.ms = 0, or the thread's report
                      // queue is full (at once, whatever max.block.ms: only poll() empties it)
  kTimedOut,          // still full after max.block.ms
  kRecordTooLarge,    // over message.max.bytes, or larger than the ring can ever hold
  kInvalidArgument,   // a bad topic handle, partition < -1, timestamp < -1, header name too long
  kTooManyThreads,    // more producing threads than producer.threads.max
  kClosed,            // produce() after close()
  // --- in a delivery report: the record WAS accepted and is now lost ------
  kBroker,            // the broker refused it; kafka_error says why
  kMessageTimedOut,   // not acknowledged within delivery.timeout.ms
  kUnknownTopic,      // the topic does not exist (after topic.metadata.propagation.max.ms)
  kPartitionOutOfRange,  // an explicit partition the topic does not have
  kPurged,            // close() ran out of time before the record could be sent
  kFatal,             // the producer hit an unrecoverable state (fatal_error() says which)
  // --- from create() and topic() ---------------------------------------------
  kInvalidConfig,
  kResource,          // memory, io_uring or a thread could not be had
  kTooManyTopics,     // more topics than topics.max
  // --- transactions (docs/transactions.md) -----------------------------------
  kState,             // the call does not fit the producer's state: produce() or
                      // commit without an open transaction, init twice, ...
  kTransaction,       // a transactional call failed: Error::kind says what may follow
  kAborted,           // in a delivery report: the record's transaction was aborted
  kAuthentication,    // the brokers refused the credentials (SASL) or TLS failed; the
                      // message has the broker's or OpenSSL's reason
};

// What a caller may do after a failed transactional call, as librdkafka's
// rd_kafka_error_is_retriable / txn_requires_abort / is_fatal and Kafka's
// KIP-1050 group it.
enum class ErrorKind : std::uint8_t {
  kPermanent,   // bad input or misuse: this call will not work as made
  kRetriable,   // call the same function again (a timed-out call resumes where it was)
  kAbortable,   // abort_transaction(), then go on with a new transaction
  kFatal,       // the producer cannot go on: destroy it (and make a new one)
};

// A short fixed description ("queue full"); never null, never allocated.
[[nodiscard]] RINGKAFKA_API const char* to_string(Errc code) noexcept;

// A control-plane error: the code and a message naming the key, value or
// resource at fault, e.g. `acks: "2" is not one of 0, 1, -1, all`.
struct Error {
  Errc code = Errc::kOk;
  std::string message;
  ErrorKind kind = ErrorKind::kPermanent;

  [[nodiscard]] bool retriable() const noexcept { return kind == ErrorKind::kRetriable; }
  [[nodiscard]] bool txn_requires_abort() const noexcept { return kind == ErrorKind::kAbortable; }
  [[nodiscard]] bool fatal() const noexcept { return kind == ErrorKind::kFatal; }
};

// The value or the error; a minimal std::expected (C++23) for C++20.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  // Only when ok().
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  // Only when !ok().
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace ringkafka
