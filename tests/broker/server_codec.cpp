#include "server_codec.h"

#include <array>
#include <cstring>

namespace ringkafka::test_broker {
namespace {

bool known_api(std::int16_t key) {
  switch (static_cast<w::ApiKey>(key)) {
    case w::ApiKey::kProduce:
    case w::ApiKey::kMetadata:
    case w::ApiKey::kFindCoordinator:
    case w::ApiKey::kApiVersions:
    case w::ApiKey::kInitProducerId:
    case w::ApiKey::kAddPartitionsToTxn:
    case w::ApiKey::kAddOffsetsToTxn:
    case w::ApiKey::kEndTxn:
    case w::ApiKey::kTxnOffsetCommit:
    case w::ApiKey::kDescribeTransactions:
    case w::ApiKey::kSaslHandshake:     // parsed, not served (yet): the
    case w::ApiKey::kSaslAuthenticate:  // connection is closed
      return true;
  }
  return false;
}

// Runs `body(writer)` into a buffer that grows until the frame fits, then
// returns exactly the frame: size, response header, body.
template <typename Body>
std::vector<std::byte> frame(w::ApiKey key, std::int16_t version, std::int32_t correlation_id,
                             Body&& body) {
  for (std::size_t cap = 4096;; cap *= 2) {
    std::vector<std::byte> buf(cap);
    w::Writer wr(buf);
    std::byte* size = wr.reserve(4);
    wr.int32(correlation_id);
    const bool flexible = w::is_flexible(key, version);
    if (flexible && key != w::ApiKey::kApiVersions) wr.empty_tagged_fields();
    w::MessageWriter m(wr, flexible);
    body(wr, m);
    if (w::finish_frame(wr, size)) {
      buf.resize(wr.position());
      return buf;
    }
  }
}

void nullable(w::MessageWriter& m, const std::optional<std::string>& s) {
  if (s) {
    m.string(*s);
  } else {
    m.nullable_string(nullptr);
  }
}

}  // namespace

w::VersionRange served_versions(w::ApiKey key) noexcept {
  switch (key) {
    case w::ApiKey::kMetadata: return {1, 12};
    case w::ApiKey::kInitProducerId: return {0, 5};
    case w::ApiKey::kFindCoordinator: return {3, 5};
    case w::ApiKey::kEndTxn: return {3, 5};
    case w::ApiKey::kAddPartitionsToTxn: return {3, 3};
    case w::ApiKey::kAddOffsetsToTxn: return {3, 4};
    case w::ApiKey::kTxnOffsetCommit: return {3, 5};
    case w::ApiKey::kDescribeTransactions: return {0, 0};
    case w::ApiKey::kProduce:
    case w::ApiKey::kApiVersions: return w::supported_versions(key);
    default: return {};
  }
}

w::DecodeStatus read_request_header(w::Reader& r, RequestHeaderIn& out) {
  out.api_key = r.int16();
  out.api_version = r.int16();
  out.correlation_id = r.int32();
  out.client_id = r.string();
  if (known_api(out.api_key) &&
      w::is_flexible(static_cast<w::ApiKey>(out.api_key), out.api_version)) {
    r.skip_tagged_fields();
  }
  return r.ok() ? w::DecodeStatus::kOk : w::DecodeStatus::kMalformed;
}

w::DecodeStatus decode_metadata_request(std::span<const std::byte> body, std::int16_t version,
                                        MetadataRequestIn& out) {
  if (!version_served(w::ApiKey::kMetadata, version)) return w::DecodeStatus::kUnsupportedVersion;
  w::Reader r(body);
  w::MessageReader m(r, w::is_flexible(w::ApiKey::kMetadata, version));
  const std::int32_t n = m.array_length(1 + (version >= 10 ? 16 : 0));
  out.all_topics = n < 0;
  for (std::int32_t i = 0; i < n && r.ok(); ++i) {
    if (version >= 10) (void)r.raw(16);  // topic id: ringkafka asks by name
    out.topics.push_back(m.string());
    m.skip_tagged_fields();
  }
  if (version >= 4) out.allow_auto_topic_creation = r.boolean();
  if (version >= 8 && version <= 10) (void)r.boolean();  // include cluster authorized operations
  if (version >= 8) (void)r.boolean();                   // include topic authorized operations
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

w::DecodeStatus decode_produce_request(std::span<const std::byte> body, std::int16_t version,
                                       ProduceRequestIn& out) {
  if (!version_served(w::ApiKey::kProduce, version)) return w::DecodeStatus::kUnsupportedVersion;
  w::Reader r(body);
  const bool flexible = w::is_flexible(w::ApiKey::kProduce, version);
  w::MessageReader m(r, flexible);
  bool null = false;
  const auto txn = m.string(&null);
  if (!null) out.transactional_id = txn;
  out.acks = r.int16();
  out.timeout_ms = r.int32();
  const std::int32_t topics = m.array_length(2);
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    ProduceTopicIn topic;
    topic.name = m.string();
    const std::int32_t parts = m.array_length(4 + 1);
    for (std::int32_t p = 0; p < parts && r.ok(); ++p) {
      ProducePartitionIn part;
      part.partition = r.int32();
      part.records = m.bytes(&part.null_records);
      m.skip_tagged_fields();
      topic.partitions.push_back(part);
    }
    m.skip_tagged_fields();
    out.topics.push_back(std::move(topic));
  }
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

w::DecodeStatus decode_init_producer_id_request(std::span<const std::byte> body,
                                                std::int16_t version,
                                                InitProducerIdRequestIn& out) {
  if (!version_served(w::ApiKey::kInitProducerId, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, w::is_flexible(w::ApiKey::kInitProducerId, version));
  bool null = false;
  const auto txn = m.string(&null);
  if (!null) out.transactional_id = txn;
  out.transaction_timeout_ms = r.int32();
  if (version >= 3) {
    out.producer_id = r.int64();
    out.producer_epoch = r.int16();
  }
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

std::vector<std::byte> encode_api_versions_response(std::int32_t correlation_id,
                                                    std::int16_t version, std::int16_t error_code,
                                                    const std::vector<ApiVersionOut>& apis,
                                                    std::int32_t throttle_time_ms,
                                                    std::int16_t transaction_version) {
  return frame(w::ApiKey::kApiVersions, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int16(error_code);
                 m.array_length(apis.size());
                 for (const auto& a : apis) {
                   wr.int16(a.api_key);
                   wr.int16(a.min_version);
                   wr.int16(a.max_version);
                   m.tagged_fields();
                 }
                 if (version >= 1) wr.int32(throttle_time_ms);
                 if (version < 3 || transaction_version <= 0) {
                   m.tagged_fields();
                   return;
                 }
                 // Tag 1: FinalizedFeaturesEpoch; tag 2: FinalizedFeatures.
                 std::array<std::byte, 16> epoch_field{};
                 w::Writer e(epoch_field);
                 e.int64(1);
                 std::array<std::byte, 64> features{};
                 w::Writer f(features);
                 f.uvarint(2);  // one entry
                 f.compact_string("transaction.version");
                 f.int16(transaction_version);  // MaxVersionLevel
                 f.int16(transaction_version);  // MinVersionLevel
                 f.uvarint(0);
                 wr.uvarint(2);
                 wr.uvarint(1);
                 wr.uvarint(e.position());
                 wr.raw(std::span(epoch_field).first(e.position()));
                 wr.uvarint(2);
                 wr.uvarint(f.position());
                 wr.raw(std::span(features).first(f.position()));
               });
}

w::DecodeStatus decode_end_txn_request(std::span<const std::byte> body, std::int16_t version,
                                       EndTxnRequestIn& out) {
  if (!version_served(w::ApiKey::kEndTxn, version)) return w::DecodeStatus::kUnsupportedVersion;
  w::Reader r(body);
  w::MessageReader m(r, true);  // v3+ are flexible
  out.transactional_id = m.string();
  out.producer_id = r.int64();
  out.producer_epoch = r.int16();
  out.committed = r.int8() != 0;
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

w::DecodeStatus decode_add_partitions_to_txn_request(std::span<const std::byte> body,
                                                    std::int16_t version,
                                                    AddPartitionsToTxnRequestIn& out) {
  if (!version_served(w::ApiKey::kAddPartitionsToTxn, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, true);  // v3 is flexible
  out.transactional_id = m.string();
  out.producer_id = r.int64();
  out.producer_epoch = r.int16();
  const std::int32_t topics = m.array_length(1 + 1 + 1);
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    TxnTopicIn topic;
    topic.name = m.string();
    const std::int32_t n = m.array_length(4);
    for (std::int32_t p = 0; p < n && r.ok(); ++p) topic.partitions.push_back(r.int32());
    m.skip_tagged_fields();
    out.topics.push_back(std::move(topic));
  }
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

namespace {

// AddPartitionsToTxn v3's and TxnOffsetCommit v3-5's answers share one
// layout: per topic, each partition's error.
std::vector<std::byte> encode_partition_errors(w::ApiKey key, std::int32_t correlation_id,
                                               std::int16_t version,
                                               const PartitionErrors& results) {
  return frame(key, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int32(0);
                 m.array_length(results.size());
                 for (const auto& [topic, partitions] : results) {
                   m.string(topic);
                   m.array_length(partitions.size());
                   for (const auto& [partition, error] : partitions) {
                     wr.int32(partition);
                     wr.int16(error);
                     m.tagged_fields();
                   }
                   m.tagged_fields();
                 }
                 m.tagged_fields();
               });
}

}  // namespace

std::vector<std::byte> encode_add_partitions_to_txn_response(std::int32_t correlation_id,
                                                             std::int16_t version,
                                                             const PartitionErrors& results) {
  return encode_partition_errors(w::ApiKey::kAddPartitionsToTxn, correlation_id, version, results);
}

w::DecodeStatus decode_add_offsets_to_txn_request(std::span<const std::byte> body,
                                                 std::int16_t version,
                                                 AddOffsetsToTxnRequestIn& out) {
  if (!version_served(w::ApiKey::kAddOffsetsToTxn, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, true);  // v3+ are flexible
  out.transactional_id = m.string();
  out.producer_id = r.int64();
  out.producer_epoch = r.int16();
  out.group_id = m.string();
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

std::vector<std::byte> encode_add_offsets_to_txn_response(std::int32_t correlation_id,
                                                          std::int16_t version,
                                                          std::int16_t error_code) {
  return frame(w::ApiKey::kAddOffsetsToTxn, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int32(0);
                 wr.int16(error_code);
                 m.tagged_fields();
               });
}

w::DecodeStatus decode_describe_transactions_request(std::span<const std::byte> body,
                                                    std::int16_t version,
                                                    std::vector<std::string_view>& ids) {
  if (!version_served(w::ApiKey::kDescribeTransactions, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, true);
  const std::int32_t n = m.array_length(1);
  for (std::int32_t i = 0; r.ok() && i < n; ++i) ids.push_back(m.string());
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

std::vector<std::byte> encode_describe_transactions_response(
    std::int32_t correlation_id, std::int16_t version, const std::vector<TransactionStateOut>& states) {
  return frame(w::ApiKey::kDescribeTransactions, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int32(0);
                 m.array_length(states.size());
                 for (const auto& s : states) {
                   wr.int16(s.error_code);
                   m.string(s.transactional_id);
                   m.string(s.state);
                   wr.int32(60000);
                   wr.int64(-1);
                   wr.int64(s.producer_id);
                   wr.int16(s.producer_epoch);
                   m.array_length(0);  // topics
                   m.tagged_fields();
                 }
                 m.tagged_fields();
               });
}

w::DecodeStatus decode_txn_offset_commit_request(std::span<const std::byte> body,
                                                std::int16_t version,
                                                TxnOffsetCommitRequestIn& out) {
  if (!version_served(w::ApiKey::kTxnOffsetCommit, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, true);  // v3+ are flexible
  out.transactional_id = m.string();
  out.group_id = m.string();
  out.producer_id = r.int64();
  out.producer_epoch = r.int16();
  out.generation_id = r.int32();
  out.member_id = m.string();
  bool null = false;
  const std::string_view instance = m.string(&null);
  if (!null) out.group_instance_id = instance;
  const std::int32_t topics = m.array_length(1 + 1 + 1);
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string_view name = m.string();
    const std::int32_t n = m.array_length(4 + 8 + 4 + 1 + 1);
    for (std::int32_t p = 0; p < n && r.ok(); ++p) {
      TxnOffsetIn o;
      o.topic = name;
      o.partition = r.int32();
      o.offset = r.int64();
      o.leader_epoch = r.int32();
      const std::string_view metadata = m.string(&null);
      if (!null) o.metadata = metadata;
      m.skip_tagged_fields();
      out.offsets.push_back(o);
    }
    m.skip_tagged_fields();
  }
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

std::vector<std::byte> encode_txn_offset_commit_response(std::int32_t correlation_id,
                                                         std::int16_t version,
                                                         const PartitionErrors& results) {
  return encode_partition_errors(w::ApiKey::kTxnOffsetCommit, correlation_id, version, results);
}

std::vector<std::byte> encode_end_txn_response(std::int32_t correlation_id, std::int16_t version,
                                               std::int16_t error_code, std::int64_t producer_id,
                                               std::int16_t producer_epoch) {
  return frame(w::ApiKey::kEndTxn, version, correlation_id, [&](w::Writer& wr, w::MessageWriter& m) {
    wr.int32(0);
    wr.int16(error_code);
    if (version >= 5) {
      wr.int64(producer_id);
      wr.int16(producer_epoch);
    }
    m.tagged_fields();
  });
}

std::vector<std::byte> encode_metadata_response(std::int32_t correlation_id, std::int16_t version,
                                                const MetadataResponseOut& md) {
  return frame(w::ApiKey::kMetadata, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 if (version >= 3) wr.int32(md.throttle_time_ms);
                 m.array_length(md.brokers.size());
                 for (const auto& b : md.brokers) {
                   wr.int32(b.node_id);
                   m.string(b.host);
                   wr.int32(b.port);
                   nullable(m, b.rack);
                   m.tagged_fields();
                 }
                 if (version >= 2) nullable(m, md.cluster_id);
                 wr.int32(md.controller_id);
                 m.array_length(md.topics.size());
                 for (const auto& t : md.topics) {
                   wr.int16(t.error_code);
                   m.string(t.name);
                   if (version >= 10) wr.raw(t.topic_id);
                   wr.boolean(t.is_internal);
                   m.array_length(t.partitions.size());
                   for (const auto& p : t.partitions) {
                     wr.int16(p.error_code);
                     wr.int32(p.partition);
                     wr.int32(p.leader_id);
                     if (version >= 7) wr.int32(p.leader_epoch);
                     const std::vector<std::int32_t>* lists[] = {&p.replicas, &p.isr, &p.offline};
                     for (const auto* list : std::span(lists).first(version >= 5 ? 3 : 2)) {
                       m.array_length(list->size());
                       for (const auto id : *list) wr.int32(id);
                     }
                     m.tagged_fields();
                   }
                   if (version >= 8) wr.int32(-2147483647 - 1);  // topic authorized operations
                   m.tagged_fields();
                 }
                 if (version >= 8 && version <= 10) wr.int32(-2147483647 - 1);  // cluster's
                 m.tagged_fields();
               });
}

std::vector<std::byte> encode_produce_response(std::int32_t correlation_id, std::int16_t version,
                                               const ProduceResponseOut& pr) {
  return frame(w::ApiKey::kProduce, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 m.array_length(pr.topics.size());
                 for (const auto& t : pr.topics) {
                   m.string(t.name);
                   m.array_length(t.partitions.size());
                   for (const auto& p : t.partitions) {
                     wr.int32(p.partition);
                     wr.int16(p.error_code);
                     wr.int64(p.base_offset);
                     wr.int64(p.log_append_time_ms);
                     if (version >= 5) wr.int64(p.log_start_offset);
                     if (version >= 8) {
                       m.array_length(p.record_errors.size());
                       for (const auto& [index, message] : p.record_errors) {
                         wr.int32(index);
                         nullable(m, message);
                         m.tagged_fields();
                       }
                       nullable(m, p.error_message);
                     }
                     if (m.flexible()) {
                       if (version >= 10 && p.current_leader_id >= 0) {
                         // One tagged field: tag 0, size, LeaderIdAndEpoch.
                         wr.uvarint(1);
                         wr.uvarint(0);
                         wr.uvarint(4 + 4 + 1);
                         wr.int32(p.current_leader_id);
                         wr.int32(p.current_leader_epoch);
                         wr.empty_tagged_fields();
                       } else {
                         wr.empty_tagged_fields();
                       }
                     }
                   }
                   m.tagged_fields();
                 }
                 wr.int32(pr.throttle_time_ms);
                 if (m.flexible()) {
                   if (version >= 10 && !pr.node_endpoints.empty()) {
                     // The endpoints are written into a scratch buffer first:
                     // a tagged field is prefixed with its size.
                     std::vector<std::byte> scratch(4096);
                     w::Writer sw(scratch);
                     w::MessageWriter sm(sw, true);
                     sm.array_length(pr.node_endpoints.size());
                     for (const auto& e : pr.node_endpoints) {
                       sw.int32(e.node_id);
                       sm.string(e.host);
                       sw.int32(e.port);
                       nullable(sm, e.rack);
                       sm.tagged_fields();
                     }
                     wr.uvarint(1);
                     wr.uvarint(0);
                     wr.uvarint(sw.position());
                     wr.raw(sw.written());
                   } else {
                     wr.empty_tagged_fields();
                   }
                 }
               });
}

w::DecodeStatus decode_find_coordinator_request(std::span<const std::byte> body,
                                                std::int16_t version,
                                                FindCoordinatorRequestIn& out) {
  if (!version_served(w::ApiKey::kFindCoordinator, version)) {
    return w::DecodeStatus::kUnsupportedVersion;
  }
  w::Reader r(body);
  w::MessageReader m(r, true);  // v3+ are flexible
  if (version <= 3) {
    out.keys.push_back(m.string());
    out.key_type = r.int8();
  } else {
    out.key_type = r.int8();
    const std::int32_t n = m.array_length(1);
    for (std::int32_t i = 0; i < n && r.ok(); ++i) out.keys.push_back(m.string());
  }
  m.skip_tagged_fields();
  return w::finish_decode(r);
}

std::vector<std::byte> encode_find_coordinator_response(std::int32_t correlation_id,
                                                        std::int16_t version,
                                                        const std::vector<CoordinatorOut>& out) {
  return frame(w::ApiKey::kFindCoordinator, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int32(0);  // throttle_time_ms
                 if (version <= 3) {
                   const CoordinatorOut& c = out.at(0);
                   wr.int16(c.error_code);
                   m.nullable_string(nullptr);  // error_message
                   wr.int32(c.node_id);
                   m.string(c.host);
                   wr.int32(c.port);
                 } else {
                   m.array_length(out.size());
                   for (const CoordinatorOut& c : out) {
                     m.string(c.key);
                     wr.int32(c.node_id);
                     m.string(c.host);
                     wr.int32(c.port);
                     wr.int16(c.error_code);
                     m.nullable_string(nullptr);
                     m.tagged_fields();
                   }
                 }
                 m.tagged_fields();
               });
}

std::vector<std::byte> encode_init_producer_id_response(std::int32_t correlation_id,
                                                        std::int16_t version,
                                                        std::int32_t throttle_time_ms,
                                                        std::int16_t error_code,
                                                        std::int64_t producer_id,
                                                        std::int16_t producer_epoch) {
  return frame(w::ApiKey::kInitProducerId, version, correlation_id,
               [&](w::Writer& wr, w::MessageWriter& m) {
                 wr.int32(throttle_time_ms);
                 wr.int16(error_code);
                 wr.int64(producer_id);
                 wr.int16(producer_epoch);
                 m.tagged_fields();
               });
}

std::span<const std::byte> response_body(std::span<const std::byte> f, w::ApiKey key,
                                         std::int16_t version) {
  w::Reader r(f.subspan(4));
  w::ResponseHeader h;
  if (w::read_response_header(r, key, version, h) != w::DecodeStatus::kOk) return {};
  return f.subspan(4 + r.position());
}

}  // namespace ringkafka::test_broker
