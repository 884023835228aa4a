// The test broker's transaction coordinator: FindCoordinator answers,
// InitProducerId for a transactional.id (one producer id per id, its epoch
// bumped by every init, as Kafka fences an earlier instance so, or bumped
// for the same instance under KIP-360), the partitions of each open
// transaction (added by AddPartitionsToTxn under transaction.version 1, by
// Produce v12 itself under 2) and EndTxn.  Kept under the test broker's
// lock; a test tool, it may allocate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "server_codec.h"

namespace ringkafka::test_broker {

struct TxnCoordinator {
  int node = 1;  // the coordinator of every transactional id
  std::int16_t find_error = 0;  // FindCoordinator's scripted answer, `find_error_count` times
  int find_error_count = 0;
  std::map<std::string, std::pair<std::int64_t, std::int16_t>> producers;  // id -> (pid, epoch)
  std::vector<std::string> inits;          // transactional ids initialised, in order
  std::vector<std::int32_t> init_timeouts;  // their transaction.timeout.ms
  std::int16_t end_error = 0;  // EndTxn's scripted answer, `end_error_count` times
  int end_error_count = 0;
  std::vector<std::pair<std::string, bool>> ends;  // (id, committed) of every EndTxn taken
  // KIP-360 bumps: InitProducerId calls that carried the current id and epoch.
  int bumps = 0;
  using TopicPartition = std::pair<std::string, std::int32_t>;
  std::map<std::string, std::set<TopicPartition>> open;  // id -> its transaction's partitions
  std::vector<TopicPartition> added;  // every AddPartitionsToTxn partition taken, in order
  std::int16_t add_error = 0;  // AddPartitionsToTxn's scripted answer, `add_error_count` times
  int add_error_count = 0;

  // Consumed offsets (send_offsets_to_transaction): the group coordinator
  // of every group, the groups of each open transaction (AddOffsetsToTxn,
  // or TxnOffsetCommit v5 itself), the offsets each transaction holds until
  // it ends, and the offsets committed per group.
  int group_node = 1;
  std::map<std::string, std::set<std::string>> open_groups;
  struct HeldOffset {
    std::string group;
    TopicPartition tp;
    std::int64_t offset;
  };
  std::map<std::string, std::vector<HeldOffset>> held;
  std::map<std::string, std::map<TopicPartition, std::int64_t>> committed;
  // (group, generation, member id) of every TxnOffsetCommit taken.
  std::vector<std::tuple<std::string, std::int32_t, std::string>> offset_commits;
  std::int16_t offsets_error = 0;  // TxnOffsetCommit's scripted answer, `offsets_error_count` times
  int offsets_error_count = 0;

  // An ended transaction stays "completing" (PrepareCommit/PrepareAbort:
  // its markers being written) for `completion` after EndTxn.  Meanwhile an
  // add (version 1) is refused with CONCURRENT_TRANSACTIONS, and a
  // transactional batch of the id (version 2: Kafka holds it at the broker
  // for add.partitions.to.txn.retry.backoff.ms) is counted in
  // `early_batches`.  DescribeTransactions answers the state.
  std::chrono::nanoseconds completion{0};
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, bool>> completing;
  int early_batches = 0;
  int describes = 0;
  // The id's last transaction is still completing (an expired entry goes).
  [[nodiscard]] bool is_completing(const std::string& id);
  std::vector<std::byte> describe(const RequestHeaderIn& h, const std::vector<std::string_view>& ids,
                                  int at_node);

  // The frame that answers FindCoordinator; `port_of(node)` gives a node's
  // advertised port.
  std::vector<std::byte> find(const RequestHeaderIn& h, const FindCoordinatorRequestIn& req,
                              const std::function<std::uint16_t(int)>& port_of);
  // InitProducerId with a transactional id, arriving at `at_node`.  The
  // pid/error scripted for InitProducerId come in `error` (0: none).
  std::vector<std::byte> init(const RequestHeaderIn& h, const InitProducerIdRequestIn& req,
                              int at_node, std::int16_t error, std::int64_t& next_producer_id);
  // AddPartitionsToTxn (transaction.version 1): the partitions join the
  // id's open transaction.
  std::vector<std::byte> add(const RequestHeaderIn& h, const AddPartitionsToTxnRequestIn& req,
                             int at_node);
  // AddOffsetsToTxn (transaction.version 1): the group joins the id's open
  // transaction.
  std::vector<std::byte> add_offsets(const RequestHeaderIn& h, const AddOffsetsToTxnRequestIn& req,
                                     int at_node);
  // TxnOffsetCommit at the group coordinator: held until EndTxn.  `tv2`:
  // v5 adds the group itself.
  std::vector<std::byte> commit_offsets(const RequestHeaderIn& h,
                                        const TxnOffsetCommitRequestIn& req, int at_node,
                                        std::vector<std::string>& errors);
  // Is the partition in the id's open transaction?
  [[nodiscard]] bool in_transaction(const std::string& id, const TopicPartition& tp) const;
  // EndTxn: refused if not at the coordinator or not at the id's current
  // epoch (PRODUCER_FENCED); under transaction.version 1 a transaction
  // with no partition is INVALID_TXN_STATE, as on Kafka.  v5 bumps the
  // epoch (KIP-890 part 2).
  std::vector<std::byte> end(const RequestHeaderIn& h, const EndTxnRequestIn& req, int at_node);
};

}  // namespace ringkafka::test_broker
