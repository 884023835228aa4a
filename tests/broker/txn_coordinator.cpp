#include "txn_coordinator.h"

#include <algorithm>

namespace ringkafka::test_broker {
namespace {
constexpr std::int16_t kNotCoordinator = 16;
constexpr std::int16_t kInvalidTxnState = 48;
constexpr std::int16_t kInvalidProducerIdMapping = 49;
constexpr std::int16_t kConcurrentTransactions = 51;
constexpr std::int16_t kTransactionalIdNotFound = 105;
constexpr std::int16_t kProducerFenced = 90;
}  // namespace

std::vector<std::byte> TxnCoordinator::find(const RequestHeaderIn& h,
                                            const FindCoordinatorRequestIn& req,
                                            const std::function<std::uint16_t(int)>& port_of) {
  std::vector<CoordinatorOut> out;
  const int at = req.key_type == 0 ? group_node : node;
  for (std::string_view key : req.keys) {
    CoordinatorOut c{std::string(key), at, "127.0.0.1", port_of(at), 0};
    if (find_error_count > 0) {
      --find_error_count;
      c = {std::string(key), -1, "", -1, find_error};
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) out.push_back({"", -1, "", -1, 42});  // INVALID_REQUEST
  return encode_find_coordinator_response(h.correlation_id, h.api_version, out);
}

std::vector<std::byte> TxnCoordinator::init(const RequestHeaderIn& h,
                                            const InitProducerIdRequestIn& req, int at_node,
                                            std::int16_t error, std::int64_t& next_producer_id) {
  const std::string id(*req.transactional_id);
  if (at_node != node) {
    return encode_init_producer_id_response(h.correlation_id, h.api_version, 0, kNotCoordinator,
                                            -1, -1);
  }
  if (error != 0) {
    return encode_init_producer_id_response(h.correlation_id, h.api_version, 0, error, -1, -1);
  }
  auto [it, fresh] = producers.try_emplace(id, next_producer_id, std::int16_t{0});
  if (!fresh && req.producer_id >= 0) {
    // KIP-360: the instance asks for its own next epoch, and must be the
    // current one.
    if (req.producer_id != it->second.first) {
      return encode_init_producer_id_response(h.correlation_id, h.api_version, 0,
                                              kInvalidProducerIdMapping, -1, -1);
    }
    if (req.producer_epoch != it->second.second) {
      return encode_init_producer_id_response(h.correlation_id, h.api_version, 0, kProducerFenced,
                                              -1, -1);
    }
    ++bumps;
  }
  open.erase(id);  // an open transaction of the id is aborted
  if (fresh) {
    ++next_producer_id;
  } else {
    ++it->second.second;  // fences the earlier instance
  }
  inits.push_back(id);
  init_timeouts.push_back(req.transaction_timeout_ms);
  return encode_init_producer_id_response(h.correlation_id, h.api_version, 0, 0, it->second.first,
                                          it->second.second);
}

std::vector<std::byte> TxnCoordinator::end(const RequestHeaderIn& h, const EndTxnRequestIn& req,
                                           int at_node) {
  const auto answer = [&](std::int16_t error, std::int64_t id, std::int16_t epoch) {
    return encode_end_txn_response(h.correlation_id, h.api_version, error, id, epoch);
  };
  if (at_node != node) return answer(kNotCoordinator, -1, -1);
  if (end_error_count > 0) {
    --end_error_count;
    return answer(end_error, -1, -1);
  }
  const auto it = producers.find(std::string(req.transactional_id));
  if (it == producers.end() || it->second.first != req.producer_id) {
    return answer(kInvalidProducerIdMapping, -1, -1);
  }
  if (req.producer_epoch != it->second.second) return answer(kProducerFenced, -1, -1);
  if (h.api_version < 5 && open[it->first].empty() && open_groups[it->first].empty()) {
    return answer(kInvalidTxnState, -1, -1);
  }
  open.erase(it->first);
  open_groups.erase(it->first);
  // The offsets the transaction held take effect with its commit.
  for (const HeldOffset& o : held[it->first]) {
    if (req.committed) committed[o.group][o.tp] = o.offset;
  }
  held.erase(it->first);
  ends.emplace_back(it->first, req.committed);
  if (completion.count() > 0) {
    completing[it->first] = {std::chrono::steady_clock::now() + completion, req.committed};
  }
  if (h.api_version >= 5) ++it->second.second;
  return answer(0, it->second.first, it->second.second);
}

std::vector<std::byte> TxnCoordinator::add(const RequestHeaderIn& h,
                                           const AddPartitionsToTxnRequestIn& req, int at_node) {
  std::int16_t error = 0;
  const auto it = producers.find(std::string(req.transactional_id));
  if (at_node != node) {
    error = kNotCoordinator;
  } else if (add_error_count > 0) {
    --add_error_count;
    error = add_error;
  } else if (it == producers.end() || it->second.first != req.producer_id) {
    error = kInvalidProducerIdMapping;
  } else if (req.producer_epoch != it->second.second) {
    error = kProducerFenced;
  } else if (is_completing(it->first)) {
    error = kConcurrentTransactions;  // the last transaction's markers are being written
  }
  PartitionErrors out;
  for (const TxnTopicIn& t : req.topics) {
    auto& parts = out.emplace_back(std::string(t.name), std::vector<std::pair<std::int32_t, std::int16_t>>{}).second;
    for (const std::int32_t p : t.partitions) {
      parts.emplace_back(p, error);
      if (error == 0) {
        open[it->first].emplace(std::string(t.name), p);
        added.emplace_back(std::string(t.name), p);
      }
    }
  }
  return encode_add_partitions_to_txn_response(h.correlation_id, h.api_version, out);
}

std::vector<std::byte> TxnCoordinator::add_offsets(const RequestHeaderIn& h,
                                                   const AddOffsetsToTxnRequestIn& req,
                                                   int at_node) {
  std::int16_t error = 0;
  const auto it = producers.find(std::string(req.transactional_id));
  if (at_node != node) {
    error = kNotCoordinator;
  } else if (it == producers.end() || it->second.first != req.producer_id) {
    error = kInvalidProducerIdMapping;
  } else if (req.producer_epoch != it->second.second) {
    error = kProducerFenced;
  } else {
    open_groups[it->first].emplace(req.group_id);
  }
  return encode_add_offsets_to_txn_response(h.correlation_id, h.api_version, error);
}

std::vector<std::byte> TxnCoordinator::commit_offsets(const RequestHeaderIn& h,
                                                      const TxnOffsetCommitRequestIn& req,
                                                      int at_node,
                                                      std::vector<std::string>& errors) {
  const std::string id(req.transactional_id);
  const std::string group(req.group_id);
  std::int16_t error = 0;
  const auto it = producers.find(id);
  if (at_node != group_node) {
    error = kNotCoordinator;
  } else if (offsets_error_count > 0) {
    --offsets_error_count;
    error = offsets_error;
  } else if (it == producers.end() || it->second.first != req.producer_id) {
    error = kInvalidProducerIdMapping;
  } else if (req.producer_epoch != it->second.second) {
    error = kProducerFenced;
  } else if (h.api_version >= 5) {
    open_groups[id].insert(group);  // KIP-890 part 2: the group joins by itself
  } else if (open_groups[id].count(group) == 0) {
    errors.push_back("TxnOffsetCommit v" + std::to_string(h.api_version) + " for group " + group +
                     " before AddOffsetsToTxn");
    error = kInvalidTxnState;
  }
  if (error == 0) offset_commits.emplace_back(group, req.generation_id, std::string(req.member_id));
  PartitionErrors out;
  for (const TxnOffsetIn& o : req.offsets) {
    if (out.empty() || out.back().first != o.topic) out.emplace_back(std::string(o.topic), std::vector<std::pair<std::int32_t, std::int16_t>>{});
    out.back().second.emplace_back(o.partition, error);
    if (error == 0) held[id].push_back({group, {std::string(o.topic), o.partition}, o.offset});
  }
  return encode_txn_offset_commit_response(h.correlation_id, h.api_version, out);
}

bool TxnCoordinator::in_transaction(const std::string& id, const TopicPartition& tp) const {
  const auto it = open.find(id);
  return it != open.end() && it->second.count(tp) != 0;
}

bool TxnCoordinator::is_completing(const std::string& id) {
  const auto it = completing.find(id);
  if (it == completing.end()) return false;
  if (std::chrono::steady_clock::now() < it->second.first) return true;
  completing.erase(it);
  return false;
}

std::vector<std::byte> TxnCoordinator::describe(const RequestHeaderIn& h,
                                                const std::vector<std::string_view>& ids,
                                                int at_node) {
  ++describes;
  std::vector<TransactionStateOut> out;
  for (std::string_view v : ids) {
    const std::string id(v);
    TransactionStateOut t;
    t.transactional_id = id;
    const auto it = producers.find(id);
    if (at_node != node) {
      t.error_code = kNotCoordinator;
    } else if (it == producers.end()) {
      t.error_code = kTransactionalIdNotFound;
    } else {
      t.producer_id = it->second.first;
      t.producer_epoch = it->second.second;
      bool last_committed = false;
      const auto last = std::find_if(ends.rbegin(), ends.rend(), [&](const auto& e) { return e.first == id; });
      if (last != ends.rend()) last_committed = last->second;
      if (is_completing(id)) {
        t.state = last_committed ? "PrepareCommit" : "PrepareAbort";
      } else if (!open[id].empty() || !open_groups[id].empty()) {
        t.state = "Ongoing";
      } else if (last != ends.rend()) {
        t.state = last_committed ? "CompleteCommit" : "CompleteAbort";
      } else {
        t.state = "Empty";
      }
    }
    out.push_back(std::move(t));
  }
  return encode_describe_transactions_response(h.correlation_id, h.api_version, out);
}

}  // namespace ringkafka::test_broker
