// The test broker's request handlers: one request in, its answer out,
// with the broker's lock held.  The socket loop (test_broker.cpp) reads
// the frames and writes what comes back, with the scripted faults of the
// connection (cuts, delays, raw replies) applied there.
#include <string>

#include "broker_state.h"

namespace ringkafka::test_broker {
namespace {

std::vector<ApiVersionOut> advertised(bool describe_transactions) {
  std::vector<ApiVersionOut> out;
  for (auto key : {wire::ApiKey::kProduce, wire::ApiKey::kMetadata, wire::ApiKey::kApiVersions,
                   wire::ApiKey::kInitProducerId, wire::ApiKey::kFindCoordinator,
                   wire::ApiKey::kAddPartitionsToTxn, wire::ApiKey::kAddOffsetsToTxn,
                   wire::ApiKey::kEndTxn, wire::ApiKey::kTxnOffsetCommit,
                   wire::ApiKey::kDescribeTransactions}) {
    if (key == wire::ApiKey::kDescribeTransactions && !describe_transactions) continue;
    const auto r = served_versions(key);
    out.push_back({static_cast<std::int16_t>(key), r.min, r.max});
  }
  // Fetch is never served, but librdkafka writes RecordBatch v2 only to a
  // broker that also offers Fetch v4 (its "MsgVer2" feature); without this
  // it would fall back to the old message format, which we do not accept.
  out.push_back({1, 4, 4});
  return out;
}

}  // namespace

TestBroker::Handled TestBroker::closed() { return {{}, false, true}; }

TestBroker::Handled TestBroker::handle(State& st, int node, const RequestHeaderIn& h,
                                       std::span<const std::byte> body) {
  const auto key = static_cast<wire::ApiKey>(h.api_key);
  if (h.api_key == 18) {
    Handled out;
    if (!version_served(key, h.api_version)) {
      out.response = encode_api_versions_response(h.correlation_id, 0, kUnsupportedVersion,
                                                  advertised(config_.describe_transactions), 0);
    } else {
      out.response = encode_api_versions_response(h.correlation_id, h.api_version, kNone,
                                                  advertised(config_.describe_transactions), 0, config_.transaction_version);
    }
    return out;
  }
  if (!version_served(key, h.api_version)) {
    return closed();  // an API or version this broker does not speak
  }
  switch (key) {
    case wire::ApiKey::kMetadata: return metadata(st, h, body);
    case wire::ApiKey::kProduce: return produce(st, node, h, body);
    case wire::ApiKey::kInitProducerId: return init_producer_id(st, node, h, body);
    case wire::ApiKey::kFindCoordinator: {
      FindCoordinatorRequestIn req;
      if (decode_find_coordinator_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
        return closed();
      }
      return {st.txn.find(h, req, [this](int node_id) { return advertised_port(node_id); })};
    }
    case wire::ApiKey::kAddPartitionsToTxn: {
      AddPartitionsToTxnRequestIn req;
      if (decode_add_partitions_to_txn_request(body, h.api_version, req) !=
          wire::DecodeStatus::kOk) {
        return closed();
      }
      if (config_.transaction_version >= 2) {
        st.errors.push_back("AddPartitionsToTxn under transaction.version " +
                            std::to_string(config_.transaction_version));
      }
      return {st.txn.add(h, req, node)};
    }
    case wire::ApiKey::kAddOffsetsToTxn: {
      AddOffsetsToTxnRequestIn req;
      if (decode_add_offsets_to_txn_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
        return closed();
      }
      if (config_.transaction_version >= 2) {
        st.errors.push_back("AddOffsetsToTxn under transaction.version " +
                            std::to_string(config_.transaction_version));
      }
      return {st.txn.add_offsets(h, req, node)};
    }
    case wire::ApiKey::kTxnOffsetCommit: {
      TxnOffsetCommitRequestIn req;
      if (decode_txn_offset_commit_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
        return closed();
      }
      if (h.api_version >= 5 && config_.transaction_version < 2) {
        st.errors.push_back("TxnOffsetCommit v5 under transaction.version " +
                            std::to_string(config_.transaction_version));
      }
      return {st.txn.commit_offsets(h, req, node, st.errors)};
    }
    case wire::ApiKey::kEndTxn: {
      EndTxnRequestIn req;
      if (decode_end_txn_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
        return closed();
      }
      if (h.api_version >= 5 && config_.transaction_version < 2) {
        st.errors.push_back("EndTxn v5 under transaction.version " +
                            std::to_string(config_.transaction_version));
      }
      return {st.txn.end(h, req, node)};
    }
    case wire::ApiKey::kDescribeTransactions: {
      std::vector<std::string_view> ids;
      if (!config_.describe_transactions ||
          decode_describe_transactions_request(body, h.api_version, ids) != wire::DecodeStatus::kOk) {
        return closed();
      }
      return {st.txn.describe(h, ids, node)};
    }
    default:
      return closed();
  }
}

TestBroker::Handled TestBroker::metadata(State& st, const RequestHeaderIn& h,
                                         std::span<const std::byte> body) {
  MetadataRequestIn req;
  if (decode_metadata_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
    return closed();
  }
  MetadataResponseOut md;
  for (int n = 1; n <= config_.brokers; ++n) {
    md.brokers.push_back({n, "127.0.0.1", advertised_port(n), std::nullopt});
  }
  md.cluster_id = "ringkafka-test-broker";
  md.controller_id = 1;
  auto describe = [&](const std::string& name) {
    MetadataTopicOut t;
    t.name = name;
    const auto it = st.hidden.count(name) != 0 ? st.topics.end() : st.topics.find(name);
    if (it == st.topics.end()) {
      t.error_code = kUnknownTopicOrPartition;
    } else {
      for (std::size_t p = 0; p < it->second.size(); ++p) {
        const auto& part = it->second[p];
        t.partitions.push_back({kNone, static_cast<std::int32_t>(p), part.leader,
                                part.leader_epoch, {part.leader}, {part.leader}, {}});
      }
    }
    md.topics.push_back(std::move(t));
  };
  if (req.all_topics) {
    for (const auto& [name, parts] : st.topics) {
      if (st.hidden.count(name) == 0) describe(name);
    }
  } else {
    for (auto name : req.topics) describe(std::string(name));
  }
  return {encode_metadata_response(h.correlation_id, h.api_version, md)};
}

TestBroker::Handled TestBroker::init_producer_id(State& st, int node, const RequestHeaderIn& h,
                                                 std::span<const std::byte> body) {
  InitProducerIdRequestIn req;
  if (decode_init_producer_id_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
    return closed();
  }
  std::int16_t error = kNone;
  if (st.pid_error_count > 0) {
    --st.pid_error_count;
    error = st.pid_error;
  }
  if (req.transactional_id) return {st.txn.init(h, req, node, error, st.next_producer_id)};
  std::int64_t id = st.next_producer_id;
  std::int16_t epoch = 0;
  if (req.producer_id >= 0) {  // KIP-360: bump the epoch of a known id
    id = req.producer_id;
    epoch = static_cast<std::int16_t>(req.producer_epoch + 1);
  } else {
    ++st.next_producer_id;
  }
  if (error != kNone) {
    id = -1;
    epoch = -1;
  }
  return {encode_init_producer_id_response(h.correlation_id, h.api_version, 0, error, id, epoch)};
}

// A transactional batch must belong to a transaction the coordinator
// knows of: under transaction.version 1 its partition was added first
// (AddPartitionsToTxn); Produce v12 under version 2 adds it itself.  The
// leader's verification (KIP-890 part 1) refuses the others.
std::int16_t TestBroker::check_transactional(State& st, const RequestHeaderIn& h,
                                             const std::string& id, const std::string& topic,
                                             std::int32_t partition) {
  const TxnCoordinator::TopicPartition tp{topic, partition};
  if (config_.transaction_version >= 2 && h.api_version >= 12) {
    // Kafka would hold this batch until the markers are written.
    if (st.txn.is_completing(id)) ++st.txn.early_batches;
    st.txn.open[id].insert(tp);
    return kNone;
  }
  if (h.api_version >= 12) {
    st.errors.push_back(topic + "-" + std::to_string(partition) + ": transactional Produce v" +
                        std::to_string(h.api_version) + " under transaction.version " +
                        std::to_string(config_.transaction_version));
  }
  if (st.txn.in_transaction(id, tp)) return kNone;
  st.errors.push_back(topic + "-" + std::to_string(partition) +
                      ": a transactional batch to a partition not added to the transaction");
  return h.api_version >= 11 ? kTransactionAbortable : kInvalidTxnState;
}

TestBroker::Handled TestBroker::produce(State& st, int node, const RequestHeaderIn& h,
                                        std::span<const std::byte> body) {
  ProduceRequestIn req;
  if (decode_produce_request(body, h.api_version, req) != wire::DecodeStatus::kOk) {
    return closed();
  }
  ++st.counters.produce_requests;
  ProduceResponseOut pr;
  pr.throttle_time_ms = st.throttle_ms[static_cast<std::size_t>(node)];
  for (const auto& t : req.topics) {
    ProduceTopicOut tout;
    tout.name = std::string(t.name);
    const auto it = st.hidden.count(tout.name) != 0 ? st.topics.end() : st.topics.find(tout.name);
    for (const auto& pin : t.partitions) {
      ProducePartitionOut pout;
      std::string where = tout.name;
      where.append("-").append(std::to_string(pin.partition));
      if (it == st.topics.end() || pin.partition < 0 ||
          static_cast<std::size_t>(pin.partition) >= it->second.size()) {
        pout.error_code = kUnknownTopicOrPartition;
      } else if (auto& part = it->second[static_cast<std::size_t>(pin.partition)];
                 part.leader != node) {
        pout.error_code = kNotLeaderOrFollower;
        pout.current_leader_id = part.leader;
        pout.current_leader_epoch = part.leader_epoch;
        pr.node_endpoints.push_back(
            {part.leader, "127.0.0.1", advertised_port(part.leader), std::nullopt});
      } else if (const std::int16_t txn_error =
                     req.transactional_id
                         ? check_transactional(st, h, std::string(*req.transactional_id),
                                               tout.name, pin.partition)
                         : kNone;
                 txn_error != kNone) {
        pout.error_code = txn_error;
      } else if (part.scripted_count > 0) {
        --part.scripted_count;
        if (part.scripted_store) {
          pout = append(part, where, pin.records, config_.keep_batches, st.counters, st.errors,
                        *st.decompressor, st.scratch, config_.idempotence_window);
        }
        pout.error_code = part.scripted_error;
        if (!part.scripted_message.empty()) pout.error_message = part.scripted_message;
        for (const auto& [index, text] : part.scripted_record_errors) {
          pout.record_errors.emplace_back(index, text);
        }
      } else {
        pout = append(part, where, pin.records, config_.keep_batches, st.counters, st.errors,
                      *st.decompressor, st.scratch, config_.idempotence_window);
      }
      pout.partition = pin.partition;
      tout.partitions.push_back(std::move(pout));
    }
    pr.topics.push_back(std::move(tout));
  }
  Handled out;
  auto& drop = st.drop[static_cast<std::size_t>(node)];
  auto& drop_after = st.drop_after[static_cast<std::size_t>(node)];
  if (req.acks == 0) {
    out.answer = false;
  } else if (drop > 0 && drop_after > 0) {
    --drop_after;  // answered as usual
  } else if (drop > 0) {
    --drop;
    out.answer = false;
  }
  if (out.answer) out.response = encode_produce_response(h.correlation_id, h.api_version, pr);
  return out;
}

}  // namespace ringkafka::test_broker
