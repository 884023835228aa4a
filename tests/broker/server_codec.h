// The broker's side of the protocol, for the test broker only: request
// decoders and response encoders for ApiVersions, Metadata, Produce,
// InitProducerId, FindCoordinator, AddPartitionsToTxn and EndTxn, built on the same primitives as the client codecs
// (src/wire/).  Checked against the Java client's own encodings in
// tests/unit/test_broker_codec_test.cpp.  A test tool may allocate; nothing
// here is part of the library.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/metadata.h"
#include "wire/protocol.h"

namespace ringkafka::test_broker {

namespace w = ringkafka::wire;

// The versions the test broker serves: wider than the client's for Metadata
// and InitProducerId, so that librdkafka (which speaks older versions) can
// use it as a sink too.
[[nodiscard]] w::VersionRange served_versions(w::ApiKey key) noexcept;
[[nodiscard]] inline bool version_served(w::ApiKey key, std::int16_t version) noexcept {
  const auto r = served_versions(key);
  return !r.empty() && version >= r.min && version <= r.max;
}

struct RequestHeaderIn {
  std::int16_t api_key = -1;
  std::int16_t api_version = -1;
  std::int32_t correlation_id = 0;
  std::string_view client_id;
};

// Reads a request header (v1, or v2 for flexible versions of the APIs we
// know; an unknown API is read as v1, which is all the broker needs to
// answer it with an error).
[[nodiscard]] w::DecodeStatus read_request_header(w::Reader& r, RequestHeaderIn& out);

struct MetadataRequestIn {
  bool all_topics = false;
  std::vector<std::string_view> topics;
  bool allow_auto_topic_creation = false;
};
[[nodiscard]] w::DecodeStatus decode_metadata_request(std::span<const std::byte> body,
                                                      std::int16_t version, MetadataRequestIn& out);

struct ProducePartitionIn {
  std::int32_t partition = -1;
  std::span<const std::byte> records;
  bool null_records = false;
};
struct ProduceTopicIn {
  std::string_view name;
  std::vector<ProducePartitionIn> partitions;
};
struct ProduceRequestIn {
  std::optional<std::string_view> transactional_id;
  std::int16_t acks = -1;
  std::int32_t timeout_ms = 0;
  std::vector<ProduceTopicIn> topics;
};
[[nodiscard]] w::DecodeStatus decode_produce_request(std::span<const std::byte> body,
                                                     std::int16_t version, ProduceRequestIn& out);

struct InitProducerIdRequestIn {
  std::optional<std::string_view> transactional_id;
  std::int32_t transaction_timeout_ms = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};
[[nodiscard]] w::DecodeStatus decode_init_producer_id_request(std::span<const std::byte> body,
                                                              std::int16_t version,
                                                              InitProducerIdRequestIn& out);

struct EndTxnRequestIn {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  bool committed = false;
};
[[nodiscard]] w::DecodeStatus decode_end_txn_request(std::span<const std::byte> body,
                                                     std::int16_t version, EndTxnRequestIn& out);
// v5 carries the producer id and epoch for the next transaction.
[[nodiscard]] std::vector<std::byte> encode_end_txn_response(std::int32_t correlation_id,
                                                             std::int16_t version,
                                                             std::int16_t error_code,
                                                             std::int64_t producer_id,
                                                             std::int16_t producer_epoch);

// Per topic, each partition's error code (AddPartitionsToTxn and
// TxnOffsetCommit answers).
using PartitionErrors =
    std::vector<std::pair<std::string, std::vector<std::pair<std::int32_t, std::int16_t>>>>;

struct TxnTopicIn {
  std::string_view name;
  std::vector<std::int32_t> partitions;
};
// AddPartitionsToTxn v3 (the last version a client sends).
struct AddPartitionsToTxnRequestIn {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::vector<TxnTopicIn> topics;
};
[[nodiscard]] w::DecodeStatus decode_add_partitions_to_txn_request(
    std::span<const std::byte> body, std::int16_t version, AddPartitionsToTxnRequestIn& out);
// Per topic, each partition's error code.
[[nodiscard]] std::vector<std::byte> encode_add_partitions_to_txn_response(
    std::int32_t correlation_id, std::int16_t version, const PartitionErrors& results);

struct AddOffsetsToTxnRequestIn {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::string_view group_id;
};
[[nodiscard]] w::DecodeStatus decode_add_offsets_to_txn_request(
    std::span<const std::byte> body, std::int16_t version, AddOffsetsToTxnRequestIn& out);
[[nodiscard]] std::vector<std::byte> encode_add_offsets_to_txn_response(
    std::int32_t correlation_id, std::int16_t version, std::int16_t error_code);

// DescribeTransactions v0: the ids asked for; one state per id answered.
[[nodiscard]] w::DecodeStatus decode_describe_transactions_request(
    std::span<const std::byte> body, std::int16_t version, std::vector<std::string_view>& ids);
struct TransactionStateOut {
  std::int16_t error_code = 0;
  std::string transactional_id;
  std::string state;  // Kafka's names: Empty, Ongoing, PrepareCommit, CompleteCommit, ...
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};
[[nodiscard]] std::vector<std::byte> encode_describe_transactions_response(
    std::int32_t correlation_id, std::int16_t version, const std::vector<TransactionStateOut>& states);

struct TxnOffsetIn {
  std::string_view topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::optional<std::string_view> metadata;
};
struct TxnOffsetCommitRequestIn {
  std::string_view transactional_id;
  std::string_view group_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t generation_id = -1;
  std::string_view member_id;
  std::optional<std::string_view> group_instance_id;
  std::vector<TxnOffsetIn> offsets;
};
[[nodiscard]] w::DecodeStatus decode_txn_offset_commit_request(
    std::span<const std::byte> body, std::int16_t version, TxnOffsetCommitRequestIn& out);
[[nodiscard]] std::vector<std::byte> encode_txn_offset_commit_response(
    std::int32_t correlation_id, std::int16_t version, const PartitionErrors& results);

struct FindCoordinatorRequestIn {
  std::int8_t key_type = 0;
  std::vector<std::string_view> keys;  // one for v3, the batch for v4+
};
[[nodiscard]] w::DecodeStatus decode_find_coordinator_request(std::span<const std::byte> body,
                                                              std::int16_t version,
                                                              FindCoordinatorRequestIn& out);

// --- responses: each returns a whole frame (size, header v0/v1, body) ----------

struct ApiVersionOut {
  std::int16_t api_key;
  std::int16_t min_version;
  std::int16_t max_version;
};
// `transaction_version` above 0 is sent as the finalized feature (v3+).
[[nodiscard]] std::vector<std::byte> encode_api_versions_response(
    std::int32_t correlation_id, std::int16_t version, std::int16_t error_code,
    const std::vector<ApiVersionOut>& apis, std::int32_t throttle_time_ms,
    std::int16_t transaction_version = 0);

struct MetadataBrokerOut {
  std::int32_t node_id;
  std::string host;
  std::int32_t port;
  std::optional<std::string> rack;
};
struct MetadataPartitionOut {
  std::int16_t error_code = 0;
  std::int32_t partition = 0;
  std::int32_t leader_id = -1;
  std::int32_t leader_epoch = -1;
  std::vector<std::int32_t> replicas, isr, offline;
};
struct MetadataTopicOut {
  std::int16_t error_code = 0;
  std::string name;
  w::TopicId topic_id{};
  bool is_internal = false;
  std::vector<MetadataPartitionOut> partitions;
};
struct MetadataResponseOut {
  std::int32_t throttle_time_ms = 0;
  std::vector<MetadataBrokerOut> brokers;
  std::optional<std::string> cluster_id;
  std::int32_t controller_id = -1;
  std::vector<MetadataTopicOut> topics;
};
[[nodiscard]] std::vector<std::byte> encode_metadata_response(std::int32_t correlation_id,
                                                              std::int16_t version,
                                                              const MetadataResponseOut& m);

struct ProducePartitionOut {
  std::int32_t partition = 0;
  std::int16_t error_code = 0;
  std::int64_t base_offset = -1;
  std::int64_t log_append_time_ms = -1;
  std::int64_t log_start_offset = -1;
  std::vector<std::pair<std::int32_t, std::optional<std::string>>> record_errors;
  std::optional<std::string> error_message;
  std::int32_t current_leader_id = -1;  // v10+ tagged field when >= 0
  std::int32_t current_leader_epoch = -1;
};
struct ProduceTopicOut {
  std::string name;
  std::vector<ProducePartitionOut> partitions;
};
struct ProduceResponseOut {
  std::vector<ProduceTopicOut> topics;
  std::int32_t throttle_time_ms = 0;
  std::vector<MetadataBrokerOut> node_endpoints;  // v10+ tagged field when not empty
};
[[nodiscard]] std::vector<std::byte> encode_produce_response(std::int32_t correlation_id,
                                                             std::int16_t version,
                                                             const ProduceResponseOut& p);

struct CoordinatorOut {
  std::string key;
  std::int32_t node_id = -1;
  std::string host;
  std::int32_t port = -1;
  std::int16_t error_code = 0;
};
// v3 answers the first coordinator only; v4+ all of them.
[[nodiscard]] std::vector<std::byte> encode_find_coordinator_response(
    std::int32_t correlation_id, std::int16_t version, const std::vector<CoordinatorOut>& out);

[[nodiscard]] std::vector<std::byte> encode_init_producer_id_response(
    std::int32_t correlation_id, std::int16_t version, std::int32_t throttle_time_ms,
    std::int16_t error_code, std::int64_t producer_id, std::int16_t producer_epoch);

// The response body alone (what follows the header), for golden comparisons.
[[nodiscard]] std::span<const std::byte> response_body(std::span<const std::byte> frame,
                                                       w::ApiKey key, std::int16_t version);

}  // namespace ringkafka::test_broker
