#include "sender/coordinator.h"

namespace ringkafka::sender {
namespace {

using wire::ErrorCode;

using wire::code;

bool means_look_again(std::int16_t e) noexcept {
  return e == code(ErrorCode::kNotCoordinator) || e == code(ErrorCode::kCoordinatorNotAvailable);
}

}  // namespace

CoordinatorLookup::Outcome CoordinatorLookup::on_answer(bool decoded, std::int16_t error_code,
                                                        std::int32_t node_id,
                                                        std::int64_t now_ns) noexcept {
  if (state_ == State::kFatal) return Outcome::kFatal;
  if (decoded && error_code == 0 && node_id >= 0) {
    state_ = State::kKnown;
    node_ = node_id;
    return Outcome::kKnown;
  }
  // Not allowed to know (TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  // GROUP_AUTHORIZATION_FAILED, ...): no retry will change it.
  if (decoded && error_code != 0 && !wire::error_info(error_code).retriable) {
    state_ = State::kFatal;
    return Outcome::kFatal;
  }
  // COORDINATOR_NOT_AVAILABLE (the coordinator's topic still being made,
  // or fewer brokers than its replication factor), COORDINATOR_LOAD_IN_
  // PROGRESS, a garbled answer: again after retry.backoff.ms.
  state_ = State::kUnknown;
  not_before_ns_ = now_ns > INT64_MAX - backoff_ns_ ? INT64_MAX : now_ns + backoff_ns_;
  return Outcome::kRetry;
}

bool CoordinatorLookup::on_coordinator_error(std::int16_t error_code) noexcept {
  if (!means_look_again(error_code)) return false;
  on_coordinator_lost();
  return true;
}

}  // namespace ringkafka::sender
