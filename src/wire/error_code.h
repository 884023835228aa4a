// Kafka's error codes: the ones a producer acts on by name, and for any code
// its protocol name and whether the broker's own definitions (the Java
// client's RetriableException hierarchy) call it retriable.  How the
// producer reacts is its own policy, built on this: for example
// DUPLICATE_SEQUENCE_NUMBER is not retriable here but means success to an
// idempotent producer, and OUT_OF_ORDER_SEQUENCE_NUMBER and
// UNKNOWN_PRODUCER_ID lead to an epoch bump (KIP-360), not a plain retry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ringkafka::wire {

enum class ErrorCode : std::int16_t {
  kUnknownServerError = -1,             // unexpected broker failure
  kNone = 0,
  kCorruptMessage = 2,                  // CRC or size check failed on the broker
  kUnknownTopicOrPartition = 3,         // no such topic or partition (yet)
  kLeaderNotAvailable = 5,              // election in progress
  kNotLeaderOrFollower = 6,             // stale metadata: refresh, re-route
  kRequestTimedOut = 7,                 // acks not gathered within timeout_ms
  kBrokerNotAvailable = 8,
  kReplicaNotAvailable = 9,
  kMessageTooLarge = 10,                // batch above the broker's limit
  kNetworkException = 13,
  kCoordinatorLoadInProgress = 14,
  kCoordinatorNotAvailable = 15,
  kNotCoordinator = 16,
  kInvalidTopicException = 17,
  kRecordListTooLarge = 18,
  kNotEnoughReplicas = 19,              // ISR below min.insync.replicas (acks=all)
  kNotEnoughReplicasAfterAppend = 20,   // written, but ISR shrank before acks
  kInvalidRequiredAcks = 21,
  kIllegalGeneration = 22,              // the consumer's generation is over (a rebalance)
  kUnknownMemberId = 25,
  kTopicAuthorizationFailed = 29,
  kClusterAuthorizationFailed = 31,
  kInvalidTimestamp = 32,
  kUnsupportedSaslMechanism = 33,      // the listener enables other mechanisms
  kIllegalSaslState = 34,               // a request out of the SASL exchange's order
  kUnsupportedVersion = 35,
  kPolicyViolation = 44,
  kOutOfOrderSequenceNumber = 45,       // a gap: batches were lost in between
  kDuplicateSequenceNumber = 46,        // already written: success for idempotence
  kInvalidProducerEpoch = 47,           // fenced by a newer epoch
  kInvalidTxnState = 48,
  kInvalidProducerIdMapping = 49,
  kInvalidTransactionTimeout = 50,
  kConcurrentTransactions = 51,
  kTransactionalIdAuthorizationFailed = 53,
  kKafkaStorageError = 56,
  kSaslAuthenticationFailed = 58,       // wrong credentials; the broker closes
  kUnknownProducerId = 59,              // the broker forgot our producer id
  kFencedLeaderEpoch = 74,
  kUnknownLeaderEpoch = 75,
  kInvalidRecord = 87,
  kThrottlingQuotaExceeded = 89,
  kFencedInstanceId = 82,
  kProducerFenced = 90,
  kUnknownTopicId = 100,
  kTransactionAbortable = 120,
};

struct ErrorInfo {
  std::string_view name;  // the protocol's name, e.g. "NOT_LEADER_OR_FOLLOWER"
  bool retriable;         // the broker's classification
  bool known;             // false for a code Kafka 4.3 does not define
};

[[nodiscard]] ErrorInfo error_info(std::int16_t code) noexcept;
// The code as it travels in a response.
[[nodiscard]] constexpr std::int16_t code(ErrorCode c) noexcept { return static_cast<std::int16_t>(c); }
[[nodiscard]] inline ErrorInfo error_info(ErrorCode code) noexcept {
  return error_info(static_cast<std::int16_t>(code));
}
[[nodiscard]] std::size_t known_error_count() noexcept;

}  // namespace ringkafka::wire
