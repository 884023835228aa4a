// Transaction version 1's partition registration: before a partition's
// first batch of a transaction goes, the coordinator is told of it with
// AddPartitionsToTxn (v3, the last a client sends); Produce waits at the
// gate (txn_gate.h) until then.  Every partition with a batch and not yet
// added goes in the next request, so an add overlaps linger.ms.  At the
// end of the transaction every partition is out again.  Version 2 (Produce
// v12) never uses this.  Sender thread only; nothing allocates after
// setup().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "accumulator/accumulator.h"
#include "sender/transaction.h"
#include "sender/txn_gate.h"
#include "wire/add_partitions_to_txn.h"
#include "wire/protocol.h"

namespace ringkafka::sender {

class TxnPartitions {
 public:
  TxnPartitions(accumulator::Accumulator& acc, TxnGate& gate) noexcept : acc_(acc), gate_(gate) {}

  // Reserves the request's scratch.
  void setup();

  // An AddPartitionsToTxn for every partition that waits for one (up to
  // kMaxPerRequest); false when none does, which clears the gate's wish.
  [[nodiscard]] bool encode(wire::Writer& w, const wire::RequestHeader& h,
                            std::string_view transactional_id, std::int64_t producer_id,
                            std::int16_t producer_epoch) noexcept;

  // The answer: added partitions open their gate; the others wait for the
  // next request (retriable errors), or stay shut until the abort
  // (abortable ones).  The outcome is the worst verdict of any partition,
  // with its error code; a garbled answer is a retry.
  struct Outcome {
    TxnVerdict verdict = TxnVerdict::kDone;
    std::int16_t error_code = 0;
  };
  Outcome on_answer(std::span<const std::byte> body, std::int16_t version) noexcept;
  // No answer will come: the request's partitions wait to go again.
  void on_lost() noexcept;

  // The transaction ended: every partition is out of the next one.
  void reset() noexcept;

  // Partitions added in this transaction (none: the coordinator knows of
  // no transaction, so it ends without EndTxn).
  [[nodiscard]] std::uint32_t added() const noexcept { return added_; }
  // A partition was refused: the transaction can only abort.  The error:
  [[nodiscard]] std::int16_t refused() const noexcept { return refused_; }

  static constexpr std::size_t kMaxPerRequest = 1024;

 private:
  accumulator::Accumulator& acc_;
  TxnGate& gate_;
  std::uint32_t added_ = 0;
  std::int16_t refused_ = 0;
  // The request in flight: its partitions (topic index, partition), by topic.
  std::vector<std::pair<std::uint32_t, std::int32_t>> pending_;
  std::vector<std::int32_t> partition_scratch_;
  std::vector<wire::TxnTopicPartitions> topic_scratch_;
};

}  // namespace ringkafka::sender
