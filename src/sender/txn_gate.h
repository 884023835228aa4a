// What Produce requests must respect under the transaction protocol in
// force.  Transactional (transactional.h) decides the protocol at init and
// at the end of each transaction, never inside one, and sets the gate;
// ProducePath (produce_path.h) reads it every request.  Sender thread only.
#pragma once

#include <cstdint>

namespace ringkafka::sender {

struct TxnGate {
  // transaction.version 1: a partition joins the transaction
  // (AddPartitionsToTxn) before its first batch goes.
  bool add_first = false;
  // Produce v12 adds partitions to the transaction itself, which only a
  // cluster running transaction.version 2 understands (a 4.x broker
  // formatted with version 1 still offers v12).
  std::int16_t max_produce_version = INT16_MAX;
  // ProducePath held a batch back for want of its partition's add; the
  // coordinator's side takes the wish.
  bool adds_wanted = false;
  // transaction.version 2: the transaction that just ended is still being
  // completed at the coordinator (its markers written).  A transactional
  // batch sent now would wait at the broker for its
  // add.partitions.to.txn.retry.backoff.ms (20 ms) before it is even
  // verified; Transactional asks the coordinator instead
  // (DescribeTransactions) and ProducePath holds the batches meanwhile.
  bool settling = false;
};

}  // namespace ringkafka::sender
