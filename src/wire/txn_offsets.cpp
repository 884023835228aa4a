#include "wire/txn_offsets.h"

namespace ringkafka::wire {

bool encode_add_offsets_to_txn_request(Writer& w, const RequestHeader& h,
                                       const AddOffsetsToTxnRequest& req) noexcept {
  return encode_request(w, h, ApiKey::kAddOffsetsToTxn, [&](MessageWriter& m) {
    m.string(req.transactional_id);
    w.int64(req.producer_id);
    w.int16(req.producer_epoch);
    m.string(req.group_id);
    m.tagged_fields();
  });
}

DecodeStatus decode_add_offsets_to_txn_response(std::span<const std::byte> body,
                                                std::int16_t version,
                                                std::int16_t& error_code) noexcept {
  if (!version_supported(ApiKey::kAddOffsetsToTxn, version)) {
    return DecodeStatus::kUnsupportedVersion;
  }
  Reader r(body);
  (void)r.int32();  // throttle_time_ms
  error_code = r.int16();
  r.skip_tagged_fields();
  return finish_decode(r);
}

bool encode_txn_offset_commit_request(Writer& w, const RequestHeader& h,
                                      const TxnOffsetCommitRequest& req) noexcept {
  return encode_request(w, h, ApiKey::kTxnOffsetCommit, [&](MessageWriter& m) {
    m.string(req.transactional_id);
    m.string(req.group_id);
    w.int64(req.producer_id);
    w.int16(req.producer_epoch);
    w.int32(req.generation_id);
    m.string(req.member_id);
    m.nullable_string(req.group_instance_id ? &*req.group_instance_id : nullptr);
    m.array_length(req.topics.size());
    for (const TxnOffsetTopic& t : req.topics) {
      m.string(t.name);
      m.array_length(t.partitions.size());
      for (const TxnOffset& p : t.partitions) {
        w.int32(p.partition);
        w.int64(p.offset);
        w.int32(p.leader_epoch);
        m.nullable_string(p.metadata ? &*p.metadata : nullptr);
        m.tagged_fields();
      }
      m.tagged_fields();
    }
    m.tagged_fields();
  });
}

DecodeStatus decode_txn_offset_commit_response(std::span<const std::byte> body,
                                               std::int16_t version,
                                               TxnOffsetCommitVisitor& visitor) noexcept {
  if (!version_supported(ApiKey::kTxnOffsetCommit, version)) {
    return DecodeStatus::kUnsupportedVersion;
  }
  std::int32_t throttle_time_ms = 0;
  return decode_partition_errors(body, throttle_time_ms, visitor);
}

}  // namespace ringkafka::wire
