#include "wire/add_partitions_to_txn.h"

namespace ringkafka::wire {
namespace {

constexpr ApiKey kKey = ApiKey::kAddPartitionsToTxn;

DecodeStatus walk(std::span<const std::byte> body, std::int32_t& throttle,
                  PartitionErrorVisitor* visitor) noexcept {
  Reader r(body);
  MessageReader m(r, true);
  throttle = r.int32();
  const std::int32_t topics = m.array_length(1 + 1 + 1);
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string_view name = m.string();
    const std::int32_t partitions = m.array_length(4 + 2 + 1);
    for (std::int32_t p = 0; p < partitions && r.ok(); ++p) {
      const std::int32_t index = r.int32();
      const std::int16_t error = r.int16();
      m.skip_tagged_fields();
      if (visitor != nullptr && r.ok()) visitor->on_partition(name, index, error);
    }
    m.skip_tagged_fields();
  }
  m.skip_tagged_fields();
  return finish_decode(r);
}

}  // namespace

bool encode_add_partitions_to_txn_request(Writer& w, const RequestHeader& h,
                                          const AddPartitionsToTxnRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    m.string(req.transactional_id);
    w.int64(req.producer_id);
    w.int16(req.producer_epoch);
    m.array_length(req.topics.size());
    for (const auto& topic : req.topics) {
      m.string(topic.name);
      m.array_length(topic.partitions.size());
      for (const std::int32_t p : topic.partitions) w.int32(p);
      m.tagged_fields();
    }
    m.tagged_fields();
  });
}

DecodeStatus decode_add_partitions_to_txn_response(std::span<const std::byte> body,
                                                   std::int16_t version,
                                                   std::int32_t& throttle_time_ms,
                                                   AddPartitionsToTxnVisitor& visitor) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  return decode_partition_errors(body, throttle_time_ms, visitor);
}

DecodeStatus decode_partition_errors(std::span<const std::byte> body,
                                     std::int32_t& throttle_time_ms,
                                     PartitionErrorVisitor& visitor) noexcept {
  if (const DecodeStatus s = walk(body, throttle_time_ms, nullptr); s != DecodeStatus::kOk) {
    return s;
  }
  return walk(body, throttle_time_ms, &visitor);
}

}  // namespace ringkafka::wire
