#include "wire/init_producer_id.h"

namespace ringkafka::wire {

namespace {
constexpr ApiKey kKey = ApiKey::kInitProducerId;
}

bool encode_init_producer_id_request(Writer& w, const RequestHeader& h,
                                     const InitProducerIdRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    m.nullable_string(req.transactional_id);
    w.int32(req.transaction_timeout_ms);
    if (h.api_version >= 3) {
      w.int64(req.producer_id);
      w.int16(req.producer_epoch);
    }
    m.tagged_fields();
  });
}

DecodeStatus decode_init_producer_id_response(std::span<const std::byte> body,
                                              std::int16_t version,
                                              InitProducerIdResponse& out) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  out.throttle_time_ms = r.int32();
  out.error_code = r.int16();
  out.producer_id = r.int64();
  out.producer_epoch = r.int16();
  r.skip_tagged_fields();
  return finish_decode(r);
}

}  // namespace ringkafka::wire
