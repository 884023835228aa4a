#include "wire/protocol.h"

namespace ringkafka::wire {

VersionRange supported_versions(ApiKey key) noexcept {
  switch (key) {
    case ApiKey::kProduce: return {3, 12};
    case ApiKey::kMetadata: return {9, 12};
    case ApiKey::kFindCoordinator: return {3, 5};
    case ApiKey::kApiVersions: return {0, 4};
    case ApiKey::kInitProducerId: return {2, 5};
    case ApiKey::kAddPartitionsToTxn: return {3, 3};
    case ApiKey::kAddOffsetsToTxn: return {3, 4};
    case ApiKey::kEndTxn: return {3, 5};
    case ApiKey::kTxnOffsetCommit: return {3, 5};
    case ApiKey::kDescribeTransactions: return {0, 0};
    case ApiKey::kSaslHandshake: return {1, 1};
    case ApiKey::kSaslAuthenticate: return {0, 2};
  }
  return {};
}

std::int16_t first_flexible_version(ApiKey key) noexcept {
  switch (key) {
    case ApiKey::kProduce: return 9;
    case ApiKey::kMetadata: return 9;
    case ApiKey::kFindCoordinator: return 3;
    case ApiKey::kApiVersions: return 3;
    case ApiKey::kInitProducerId: return 2;
    case ApiKey::kAddPartitionsToTxn: return 3;
    case ApiKey::kAddOffsetsToTxn: return 3;
    case ApiKey::kEndTxn: return 3;
    case ApiKey::kTxnOffsetCommit: return 3;
    case ApiKey::kDescribeTransactions: return 0;
    case ApiKey::kSaslHandshake: return 0x7fff;  // never flexible
    case ApiKey::kSaslAuthenticate: return 2;
  }
  return 0x7fff;
}

std::string_view to_string(DecodeStatus s) noexcept {
  switch (s) {
    case DecodeStatus::kOk: return "ok";
    case DecodeStatus::kMalformed: return "malformed or truncated message";
    case DecodeStatus::kTrailingBytes: return "unexpected bytes after the message";
    case DecodeStatus::kUnsupportedVersion: return "unsupported version";
    case DecodeStatus::kFrameTooLarge: return "frame size negative or above the maximum";
  }
  return "unknown";
}

std::byte* begin_request(Writer& w, const RequestHeader& h) noexcept {
  std::byte* size = w.reserve(4);
  w.int16(static_cast<std::int16_t>(h.api_key));
  w.int16(h.api_version);
  w.int32(h.correlation_id);
  w.string(h.client_id);
  if (is_flexible(h.api_key, h.api_version)) w.empty_tagged_fields();
  return w.ok() ? size : nullptr;
}

bool finish_frame(Writer& w, std::byte* size_field) noexcept {
  if (!w.ok() || size_field == nullptr) return false;
  const std::byte* start = w.written().data();
  const auto size = w.position() - static_cast<std::size_t>(size_field - start) - 4;
  if (size > 0x7fffffff) return false;
  store_be(size_field, static_cast<std::int32_t>(size));
  return true;
}

DecodeStatus read_response_header(Reader& r, ApiKey key, std::int16_t version,
                                  ResponseHeader& out) noexcept {
  out.correlation_id = r.int32();
  if (key != ApiKey::kApiVersions && is_flexible(key, version)) r.skip_tagged_fields();
  return r.ok() ? DecodeStatus::kOk : DecodeStatus::kMalformed;
}

DecodeStatus check_frame_size(std::int32_t size, std::int32_t max_frame_size) noexcept {
  return size < 0 || size > max_frame_size ? DecodeStatus::kFrameTooLarge : DecodeStatus::kOk;
}

}  // namespace ringkafka::wire
