#include "wire/find_coordinator.h"

namespace ringkafka::wire {

namespace {
constexpr ApiKey kKey = ApiKey::kFindCoordinator;
}

bool encode_find_coordinator_request(Writer& w, const RequestHeader& h,
                                     const FindCoordinatorRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    if (h.api_version <= 3) {
      m.string(req.key);
      w.int8(static_cast<std::int8_t>(req.key_type));
    } else {
      w.int8(static_cast<std::int8_t>(req.key_type));
      m.array_length(1);
      m.string(req.key);
    }
    m.tagged_fields();
  });
}

DecodeStatus decode_find_coordinator_response(std::span<const std::byte> body,
                                              std::int16_t version,
                                              FindCoordinatorResponse& out) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  MessageReader m(r, true);
  out = FindCoordinatorResponse{};
  out.throttle_time_ms = r.int32();
  if (version <= 3) {
    out.error_code = r.int16();
    out.error_message = m.string();
    out.node_id = r.int32();
    out.host = m.string();
    out.port = r.int32();
  } else {
    if (m.array_length(1 + 4 + 1 + 4 + 2 + 1 + 1) != 1) r.fail();
    out.key = m.string();
    out.node_id = r.int32();
    out.host = m.string();
    out.port = r.int32();
    out.error_code = r.int16();
    out.error_message = m.string();
    m.skip_tagged_fields();
  }
  m.skip_tagged_fields();
  return finish_decode(r);
}

}  // namespace ringkafka::wire
