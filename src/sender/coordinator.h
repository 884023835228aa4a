// Which broker coordinates a key (a transactional id; a consumer group for
// KIP-447's offsets), as a state machine with pure transitions: the sender
// asks with FindCoordinator when should_ask() says so and hands the answer,
// a dropped request or a coordinator's refusal back in.  No sockets, no
// clock of its own: unit-tested without a network
// (tests/unit/sender_coordinator_test.cpp).  Transactions (issue 14) drive
// it; nothing does yet.
//
//   unknown ──should_ask──▶ asking ──answer ok──▶ known(node)
//      ▲                      │                      │
//      └── retriable error, ──┘                      │ NOT_COORDINATOR /
//          garbled or dropped (after retry.backoff)  │ COORDINATOR_NOT_AVAILABLE
//      ▲                                             │ from a request to it, or
//      └─────────────────────────────────────────────┘ its connection failed
//   not allowed (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ...): fatal
#pragma once

#include <cstdint>

#include "wire/error_code.h"

namespace ringkafka::sender {

class CoordinatorLookup {
 public:
  enum class State : std::uint8_t { kUnknown, kAsking, kKnown, kFatal };
  enum class Outcome : std::uint8_t { kKnown, kRetry, kFatal };

  explicit CoordinatorLookup(std::int64_t retry_backoff_ns) noexcept : backoff_ns_(retry_backoff_ns) {}

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] std::int32_t node() const noexcept { return state_ == State::kKnown ? node_ : -1; }
  // The moment a retry may go (after a failed lookup).
  [[nodiscard]] std::int64_t not_before_ns() const noexcept { return not_before_ns_; }

  // A FindCoordinator request should go now.
  [[nodiscard]] bool should_ask(std::int64_t now_ns) const noexcept {
    return state_ == State::kUnknown && now_ns >= not_before_ns_;
  }
  void asked() noexcept {
    if (state_ == State::kUnknown) state_ = State::kAsking;
  }

  // The answer to our FindCoordinator (decoded: it could be read).
  Outcome on_answer(bool decoded, std::int16_t error_code, std::int32_t node_id,
                    std::int64_t now_ns) noexcept;
  // Our FindCoordinator will get no answer (its connection failed): ask
  // again at once.
  void on_dropped() noexcept {
    if (state_ == State::kAsking) state_ = State::kUnknown;
  }
  // A request to the coordinator says it is not (or not yet) the
  // coordinator, or the connection to it failed: find it again.  true if
  // that error means so.
  bool on_coordinator_error(std::int16_t error_code) noexcept;
  void on_coordinator_lost() noexcept {
    if (state_ == State::kKnown) state_ = State::kUnknown;
  }

 private:
  std::int64_t backoff_ns_;
  State state_ = State::kUnknown;
  std::int32_t node_ = -1;
  std::int64_t not_before_ns_ = 0;
};

}  // namespace ringkafka::sender
