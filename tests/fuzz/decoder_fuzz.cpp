// libFuzzer target for one response decoder, chosen at compile time by
// RINGKAFKA_FUZZ_API (an ApiKey value).  The first input byte picks the
// version inside the supported range; the rest is the response body.  The
// decoders must never read out of bounds, never crash, never loop, whatever
// the bytes; AddressSanitizer and UBSan watch the reads.
#include <cstddef>
#include <cstdint>
#include <span>

#include "wire/add_partitions_to_txn.h"
#include "wire/api_versions.h"
#include "wire/describe_transactions.h"
#include "wire/end_txn.h"
#include "wire/find_coordinator.h"
#include "wire/init_producer_id.h"
#include "wire/metadata.h"
#include "wire/produce.h"
#include "wire/sasl.h"
#include "wire/txn_offsets.h"

namespace w = ringkafka::wire;

namespace {

// Visitors that touch every view they are given, so a bad view is noticed.
std::size_t sink = 0;
void touch(std::string_view s) { sink += s.empty() ? 0 : static_cast<unsigned char>(s.back()); }

struct AllMetadata : w::MetadataVisitor {
  void on_broker(const w::MetadataBroker& b) noexcept override { touch(b.host), touch(b.rack); }
  void on_topic(const w::MetadataTopic& t) noexcept override { touch(t.name); }
  void on_cluster(const w::MetadataCluster& c) noexcept override { touch(c.cluster_id); }
};
struct AllProduce : w::ProduceResponseVisitor {
  void on_partition(const w::ProducePartitionResponse& p) noexcept override {
    touch(p.topic), touch(p.error_message);
  }
  void on_record_error(const w::ProduceRecordError& e) noexcept override { touch(e.message); }
  void on_node_endpoint(const w::ProduceNodeEndpoint& e) noexcept override {
    touch(e.host), touch(e.rack);
  }
};
struct AllTxn : w::PartitionErrorVisitor {
  void on_partition(std::string_view topic, std::int32_t, std::int16_t) noexcept override {
    touch(topic);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  constexpr auto kKey = static_cast<w::ApiKey>(RINGKAFKA_FUZZ_API);
  const w::VersionRange range = w::supported_versions(kKey);
  const auto version = static_cast<std::int16_t>(range.min + data[0] % (range.max - range.min + 1));
  const std::span<const std::byte> body(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  switch (kKey) {
    case w::ApiKey::kApiVersions: {
      w::ApiVersionsResponse r;
      (void)w::decode_api_versions_response(body, version, r);
      break;
    }
    case w::ApiKey::kMetadata: {
      AllMetadata v;
      (void)w::decode_metadata_response(body, version, v);
      break;
    }
    case w::ApiKey::kProduce: {
      AllProduce v;
      (void)w::decode_produce_response(body, version, v);
      break;
    }
    case w::ApiKey::kInitProducerId: {
      w::InitProducerIdResponse r;
      (void)w::decode_init_producer_id_response(body, version, r);
      break;
    }
    case w::ApiKey::kFindCoordinator: {
      w::FindCoordinatorResponse r;
      if (w::decode_find_coordinator_response(body, version, r) == w::DecodeStatus::kOk) {
        touch(r.host), touch(r.key), touch(r.error_message);
      }
      break;
    }
    case w::ApiKey::kAddPartitionsToTxn: {
      AllTxn v;
      std::int32_t throttle = 0;
      (void)w::decode_add_partitions_to_txn_response(body, version, throttle, v);
      break;
    }
    case w::ApiKey::kEndTxn: {
      w::EndTxnResponse r;
      (void)w::decode_end_txn_response(body, version, r);
      break;
    }
    case w::ApiKey::kAddOffsetsToTxn: {
      std::int16_t error = 0;
      (void)w::decode_add_offsets_to_txn_response(body, version, error);
      break;
    }
    case w::ApiKey::kTxnOffsetCommit: {
      AllTxn v;
      (void)w::decode_txn_offset_commit_response(body, version, v);
      break;
    }
    case w::ApiKey::kSaslHandshake: {
      w::SaslHandshakeResponse r;
      if (w::decode_sasl_handshake_response(body, version, r) == w::DecodeStatus::kOk) {
        for (std::size_t i = 0; i < r.mechanism_count; ++i) touch(r.mechanisms[i]);
      }
      break;
    }
    case w::ApiKey::kSaslAuthenticate: {
      w::SaslAuthenticateResponse r;
      if (w::decode_sasl_authenticate_response(body, version, r) == w::DecodeStatus::kOk) {
        touch(r.error_message);
        if (!r.auth_bytes.empty()) sink += static_cast<std::size_t>(r.auth_bytes.back());
      }
      break;
    }
    case w::ApiKey::kDescribeTransactions: {
      w::DescribeTransactionsResponse r;
      if (w::decode_describe_transactions_response(body, version, r) == w::DecodeStatus::kOk) {
        touch(r.transactional_id), touch(r.state);
      }
      break;
    }
  }
  return 0;
}
