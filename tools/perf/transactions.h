// ringkafka-perf --mode transactions: the transactional producer, through
// each client, in the same invocation.  Per client, on one thread:
//
//   plain   the run's records produced as fast as the client accepts them,
//           then flushed, without transactions (the same settings
//           otherwise): the baseline throughput;
//   txn     init_transactions once, one unmeasured transaction, then
//           TRANSACTIONS transactions of RECORDS-PER-TXN records each:
//           begin, produce them as fast as they are accepted, commit.
//
// Measured per transaction (steady clock, ns): `commit`, the commit call
// alone (it flushes first: lingering batches go, every report comes in,
// then EndTxn), and `transaction`, from begin to the commit's return.
// Throughput: the records over the sum of the transactions' times, and as
// a share of the plain run's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/histogram.h"
#include "rdkafka_client.h"
#include "ringkafka/config.h"
#include "workload.h"

namespace perf {

struct TxnWorkload {
  std::uint64_t per_transaction = 1000;
  std::uint64_t transactions = 20;
  std::size_t value_size = 100;
  std::size_t key_size = 16;
};

struct TxnResult {
  std::string client;
  ringkafka::metrics::Histogram commit{kHighestTrackableNs};
  ringkafka::metrics::Histogram transaction{kHighestTrackableNs};
  double txn_seconds = 0;    // the measured transactions, begin to commit's return
  double plain_seconds = 0;  // the same count of records, no transaction, produced and flushed
  std::uint64_t records = 0;  // delivered in the measured transactions
  std::uint64_t failed = 0;
  std::string first_error;
};

// The transactional runs use `transactional_id`; a message when a client
// could not be set up or a transaction failed.
std::optional<std::string> run_ringkafka_transactions(const ringkafka::Config& config,
                                                      std::string_view topic,
                                                      const std::string& transactional_id,
                                                      const TxnWorkload& w, TxnResult& out);
std::optional<std::string> run_rdkafka_transactions(const KeyValues& config,
                                                    std::string_view topic,
                                                    const std::string& transactional_id,
                                                    const TxnWorkload& w, TxnResult& out);

// The table: one row per client, then the peers' ratios to ringkafka.
void print_transactions(const TxnWorkload& w, const std::vector<TxnResult>& runs);

}  // namespace perf
