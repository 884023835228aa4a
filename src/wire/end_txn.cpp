#include "wire/end_txn.h"

namespace ringkafka::wire {

namespace {
constexpr ApiKey kKey = ApiKey::kEndTxn;
}

bool encode_end_txn_request(Writer& w, const RequestHeader& h, const EndTxnRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    m.string(req.transactional_id);
    w.int64(req.producer_id);
    w.int16(req.producer_epoch);
    w.boolean(req.committed);
    m.tagged_fields();
  });
}

DecodeStatus decode_end_txn_response(std::span<const std::byte> body, std::int16_t version,
                                     EndTxnResponse& out) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  out = EndTxnResponse{};
  out.throttle_time_ms = r.int32();
  out.error_code = r.int16();
  if (version >= 5) {
    out.producer_id = r.int64();
    out.producer_epoch = r.int16();
  }
  r.skip_tagged_fields();
  return finish_decode(r);
}

}  // namespace ringkafka::wire
