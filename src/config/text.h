// Small text helpers the key table and the settings' resolution share
// (config/ only).
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ringkafka/error.h"

namespace ringkafka::config::text {

inline constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
inline constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// Indexed by wire::Compression.
inline constexpr std::array<std::string_view, 5> kCodecNames = {"none", "gzip", "snappy", "lz4", "zstd"};
inline constexpr std::array<std::string_view, 5> kCodecLevelKeys = {
    "", "compression.gzip.level", "", "compression.lz4.level", "compression.zstd.level"};

inline std::string_view trim(std::string_view s) noexcept {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// "true" 1, "false" 0: the boolean keys' words.
inline std::optional<std::int64_t> bool_word(std::string_view w) noexcept {
  if (w == "true") return 1;
  if (w == "false") return 0;
  return std::nullopt;
}

inline std::optional<std::int64_t> parse_integer(std::string_view s) noexcept {
  s = trim(s);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

inline std::string quoted(std::string_view s) {
  // Appended piece by piece: GCC 12 sees a false -Wrestrict in "\"" + s + "\"".
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

// `<key>: "<value>" is not <allowed>`
inline Error not_allowed(std::string_view key, std::string_view value, std::string_view allowed) {
  return {Errc::kInvalidConfig,
          std::string(key) + ": " + quoted(value) + " is not " + std::string(allowed)};
}


}  // namespace ringkafka::config::text
