// What fault tests check, in one place (against real Kafka, and against the
// test broker's log in tests/unit/producer_faults_test.cpp): the records a
// test produced (numbered from 0, value "r<number>", opaque number + 1, to a
// known partition), the delivery report each got, and what a consumer we
// did not write (kcat) read back.  check() asserts, with gtest:
//   - every accepted record has exactly one delivery report, and one that
//     names an offset names the record's partition;
//   - every record reported delivered was consumed: once with an
//     idempotent producer, at least once otherwise (the copies are counted);
//   - per partition, first copies come in produce order (idempotent
//     producer only: without it a retry may land behind later requests);
//   - nothing was consumed that was not produced, and (idempotent producer)
//     nothing reported failed was consumed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kcat_reader.h"
#include "ringkafka/producer.h"

namespace ringkafka::testing {

class Ledger {
 public:
  static std::string value(std::size_t i) { return std::string("r").append(std::to_string(i)); }
  static void* opaque(std::size_t i) { return reinterpret_cast<void*>(i + 1); }

  // Record `i` (the next number) was accepted by produce() for `partition`.
  void accepted(std::int32_t partition);
  // Produces the next record to `partition` and notes it accepted.  While
  // the queue is full (or max.block.ms passes) it takes reports and tries
  // again; any other result is returned with the record left out.
  Errc produce(Producer& p, Topic t, std::int32_t partition);
  [[nodiscard]] std::size_t sent() const { return partition_.size(); }
  // The last report of record `i` (default-constructed if none came), and
  // how many came.
  [[nodiscard]] const DeliveryReport& report(std::size_t i) const { return report_.at(i); }
  [[nodiscard]] int reports(std::size_t i) const { return reports_.at(i); }
  [[nodiscard]] std::int32_t partition_of(std::size_t i) const { return partition_.at(i); }

  // Takes the producer's waiting reports; returns how many.
  std::size_t poll(Producer& p);
  // Polls until every accepted record has a report or `timeout` passed.
  void await(Producer& p, std::chrono::milliseconds timeout);

  struct Figures {
    std::size_t sent = 0, delivered = 0, failed = 0, consumed = 0, lost = 0, duplicated = 0;
  };
  Figures check(const std::vector<KcatRecord>& consumed, bool exactly_once) const;

 private:
  std::vector<std::int32_t> partition_;
  std::vector<int> reports_;
  std::vector<DeliveryReport> report_;
  std::size_t stray_reports_ = 0;
};

}  // namespace ringkafka::testing
