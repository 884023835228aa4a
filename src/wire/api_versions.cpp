#include "wire/api_versions.h"

#include <algorithm>

namespace ringkafka::wire {

bool encode_api_versions_request(Writer& w, const RequestHeader& h,
                                 const ApiVersionsRequest& req) noexcept {
  return encode_request(w, h, ApiKey::kApiVersions, [&](MessageWriter& m) {
    if (h.api_version < 3) return;  // versions 0-2 have an empty body
    m.string(req.client_software_name);
    m.string(req.client_software_version);
    m.tagged_fields();
  });
}

namespace {

// The body's tagged fields: FinalizedFeaturesEpoch (tag 1) and
// FinalizedFeatures (tag 2) give transaction.version; the others
// (SupportedFeatures, ZkMigrationReady, unknown ones) are skipped.
void read_features(Reader& r, ApiVersionsResponse& out) noexcept {
  std::int64_t epoch = -1;
  std::int16_t level = 0;
  const std::uint32_t count = r.uvarint();
  for (std::uint32_t i = 0; r.ok() && i < count; ++i) {
    const std::uint32_t tag = r.uvarint();
    const std::span<const std::byte> field = r.raw(r.uvarint());
    if (tag != 1 && tag != 2) continue;
    Reader f(field);
    if (tag == 1) {
      epoch = f.int64();
    } else {
      const std::int32_t n = f.compact_array_length(1 + 2 + 2 + 1);
      for (std::int32_t k = 0; k < n && f.ok(); ++k) {
        const std::string_view name = f.compact_string();
        const std::int16_t max_level = f.int16();
        (void)f.int16();  // MinVersionLevel
        f.skip_tagged_fields();
        if (name == "transaction.version") level = max_level;
      }
    }
    if (!f.ok()) r.fail();
  }
  out.transaction_version = epoch >= 0 ? level : std::int16_t{0};
}

}  // namespace

DecodeStatus decode_api_versions_response(std::span<const std::byte> body, std::int16_t version,
                                          ApiVersionsResponse& out) noexcept {
  if (!version_supported(ApiKey::kApiVersions, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  MessageReader m(r, is_flexible(ApiKey::kApiVersions, version));
  out = ApiVersionsResponse{};
  out.error_code = r.int16();
  const std::int32_t n = m.array_length(6);
  for (std::int32_t i = 0; i < n && r.ok(); ++i) {
    const std::int16_t key = r.int16();
    const std::int16_t min = r.int16();
    const std::int16_t max = r.int16();
    m.skip_tagged_fields();
    if (key >= 0 && static_cast<std::size_t>(key) <= ApiVersionsResponse::kMaxApiKey) {
      out.versions[static_cast<std::size_t>(key)] = {min, max};
    }
  }
  if (version >= 1) out.throttle_time_ms = r.int32();
  if (m.flexible()) read_features(r, out);
  return finish_decode(r);
}

std::int16_t negotiate_version(ApiKey key, const ApiVersionsResponse& broker) noexcept {
  const VersionRange ours = supported_versions(key);
  const VersionRange theirs = broker.range(key);
  if (ours.empty() || theirs.empty()) return -1;
  // Kafka 4.0 advertises Produce from version 0 but refuses 0-2; our minimum
  // of 3 keeps us out of that range whatever the broker claims.
  const auto high = std::min(ours.max, theirs.max);
  const auto low = std::max(ours.min, theirs.min);
  return high >= low ? high : std::int16_t{-1};
}

}  // namespace ringkafka::wire
