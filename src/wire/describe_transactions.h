// DescribeTransactions (key 65, KIP-664), version 0: the coordinator's view
// of a transactional id.  The producer asks for its own id to learn when
// the transaction it just ended is complete (its markers written), so that
// the next transaction's first Produce does not wait at the broker
// (sender/transactional.h).  A producer may: its WRITE on the id implies
// DESCRIBE.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

// One transactional id per request: the producer's own.
[[nodiscard]] bool encode_describe_transactions_request(Writer& w, const RequestHeader& h,
                                                        std::string_view transactional_id) noexcept;

struct DescribeTransactionsResponse {
  std::int32_t throttle_time_ms = 0;
  // Of the first (the only asked-for) id; error -1 when the answer lists none.
  std::int16_t error_code = -1;
  std::string_view transactional_id;  // views into the body
  // Kafka's TransactionState names: Empty, Ongoing, PrepareCommit,
  // PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence.
  std::string_view state;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

[[nodiscard]] DecodeStatus decode_describe_transactions_response(
    std::span<const std::byte> body, std::int16_t version,
    DescribeTransactionsResponse& out) noexcept;

// The state is one in which the coordinator is still finishing a
// transaction's end: a new one cannot start yet.
[[nodiscard]] bool transaction_completing(std::string_view state) noexcept;

}  // namespace ringkafka::wire
