// What every Kafka request and response shares: API keys, the versions
// ringkafka speaks, request header v1/v2, response header v0/v1, the int32
// size prefix of a frame, and readers/writers that switch between the classic
// and the flexible (KIP-482) encodings by version.
//
// Field layouts follow Kafka's own message definitions
// (clients/src/main/resources/common/message/*.json, as shipped in
// kafka-clients 4.3.1); docs/protocol.md lists the versions per API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/codec.h"

namespace ringkafka::wire {

enum class ApiKey : std::int16_t {
  kProduce = 0,
  kMetadata = 3,
  kFindCoordinator = 10,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kInitProducerId = 22,
  kAddPartitionsToTxn = 24,
  kAddOffsetsToTxn = 25,
  kEndTxn = 26,
  kTxnOffsetCommit = 28,
  kSaslAuthenticate = 36,
  kDescribeTransactions = 65,
};

struct VersionRange {
  std::int16_t min = -1;
  std::int16_t max = -1;
  [[nodiscard]] constexpr bool empty() const noexcept { return min < 0 || max < min; }
};

// The versions ringkafka implements, per API: what the Kafka 3.x and 4.x
// brokers accept, from the first version a modern producer needs.  Produce
// stops at 12 because 13 replaces topic names with topic ids (KIP-516).
[[nodiscard]] VersionRange supported_versions(ApiKey key) noexcept;
// The first flexible (tagged-field, compact) version of each API.
[[nodiscard]] std::int16_t first_flexible_version(ApiKey key) noexcept;
[[nodiscard]] inline bool is_flexible(ApiKey key, std::int16_t version) noexcept {
  return version >= first_flexible_version(key);
}

// Why a decode failed.  Decoders never read outside their input and never
// loop on a count the input cannot hold.
enum class DecodeStatus : std::uint8_t {
  kOk = 0,
  kMalformed,           // truncated, impossible length or count, bad varint
  kTrailingBytes,       // a well-formed message followed by bytes it does not own
  kUnsupportedVersion,  // a version outside supported_versions()
  kFrameTooLarge,       // a size prefix above the configured maximum, or negative
};
[[nodiscard]] std::string_view to_string(DecodeStatus s) noexcept;

// A Writer or Reader that picks the classic or compact form of each field
// from the message version, so a codec states each field once.
class MessageWriter {
 public:
  MessageWriter(Writer& w, bool flexible) noexcept : w_(w), flexible_(flexible) {}
  Writer& raw() noexcept { return w_; }
  [[nodiscard]] bool flexible() const noexcept { return flexible_; }

  void string(std::string_view s) noexcept { flexible_ ? w_.compact_string(s) : w_.string(s); }
  void nullable_string(const std::string_view* s) noexcept {
    if (s != nullptr) return string(*s);
    flexible_ ? w_.compact_null_string() : w_.null_string();
  }
  void array_length(std::size_t n) noexcept {
    flexible_ ? w_.compact_array_length(n) : w_.array_length(static_cast<std::int32_t>(n));
  }
  void null_array() noexcept { flexible_ ? w_.uvarint(0) : w_.array_length(-1); }
  void bytes(std::span<const std::byte> b) noexcept {
    flexible_ ? w_.compact_bytes(b) : w_.bytes(b);
  }
  void tagged_fields() noexcept {
    if (flexible_) w_.empty_tagged_fields();
  }

 private:
  Writer& w_;
  bool flexible_;
};

class MessageReader {
 public:
  MessageReader(Reader& r, bool flexible) noexcept : r_(r), flexible_(flexible) {}
  Reader& raw() noexcept { return r_; }
  [[nodiscard]] bool flexible() const noexcept { return flexible_; }
  [[nodiscard]] bool ok() const noexcept { return r_.ok(); }

  [[nodiscard]] std::string_view string(bool* null = nullptr) noexcept {
    return flexible_ ? r_.compact_string(null) : r_.string(null);
  }
  [[nodiscard]] std::int32_t array_length(std::size_t min_element_size) noexcept {
    return flexible_ ? r_.compact_array_length(min_element_size)
                     : r_.array_length(min_element_size);
  }
  [[nodiscard]] std::span<const std::byte> bytes(bool* null = nullptr) noexcept {
    return flexible_ ? r_.compact_bytes(null) : r_.bytes(null);
  }
  void skip_tagged_fields() noexcept {
    if (flexible_) r_.skip_tagged_fields();
  }

 private:
  Reader& r_;
  bool flexible_;
};

struct RequestHeader {
  ApiKey api_key;
  std::int16_t api_version;
  std::int32_t correlation_id;
  std::string_view client_id;  // always sent; Kafka allows null, we never need it
};

// Starts a request frame in `w`: reserves the int32 size and writes the
// header (v2 for flexible versions, else v1; the client id keeps the classic
// int16 length in both so any broker can read it).  Returns the reserved size
// field for finish_frame(), nullptr on overflow.
[[nodiscard]] std::byte* begin_request(Writer& w, const RequestHeader& h) noexcept;
// Fills the size prefix reserved by begin_request().  False on overflow
// anywhere in the frame.
[[nodiscard]] bool finish_frame(Writer& w, std::byte* size_field) noexcept;

// The frame of a request: checks that `h` is for `key` at a version we
// speak, writes the size and header, lets `body` write the fields through a
// MessageWriter set for the version, and fills in the size.  False if the
// version is refused or anything overflows.
template <typename Body>
[[nodiscard]] bool encode_request(Writer& w, const RequestHeader& h, ApiKey key,
                                  Body&& body) noexcept;

// Reads a response header (v0, or v1 with tagged fields for flexible
// versions; ApiVersions responses always use v0 so that an old client can
// read any version's header).  `body` must be the frame without its size.
struct ResponseHeader {
  std::int32_t correlation_id = 0;
};
[[nodiscard]] DecodeStatus read_response_header(Reader& r, ApiKey key, std::int16_t version,
                                                ResponseHeader& out) noexcept;

// The status of a decoder that has read its whole message: malformed if any
// read failed, trailing bytes if the input goes on past the message.
[[nodiscard]] inline DecodeStatus finish_decode(const Reader& r) noexcept {
  if (!r.ok()) return DecodeStatus::kMalformed;
  return r.remaining() == 0 ? DecodeStatus::kOk : DecodeStatus::kTrailingBytes;
}

// Checks a version against supported_versions().
[[nodiscard]] inline bool version_supported(ApiKey key, std::int16_t version) noexcept {
  const VersionRange r = supported_versions(key);
  return !r.empty() && version >= r.min && version <= r.max;
}

// Checks a frame's size prefix before any buffer is sized for it: the size
// must be non-negative and at most `max_frame_size`.
[[nodiscard]] DecodeStatus check_frame_size(std::int32_t size,
                                            std::int32_t max_frame_size) noexcept;

template <typename Body>
bool encode_request(Writer& w, const RequestHeader& h, ApiKey key, Body&& body) noexcept {
  if (h.api_key != key || !version_supported(key, h.api_version)) return false;
  std::byte* size = begin_request(w, h);
  MessageWriter m(w, is_flexible(key, h.api_version));
  body(m);
  return finish_frame(w, size);
}

}  // namespace ringkafka::wire
