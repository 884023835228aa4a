// Big-endian (network order) fixed-width integers, Kafka's INT8..INT64.
// Callers check bounds; these only move bytes.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ringkafka::wire {

static_assert(std::endian::native == std::endian::little,
              "ringkafka's wire code assumes a little-endian host (x86-64, aarch64)");

template <typename T>
inline void store_be(std::byte* out, T v) noexcept {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  if constexpr (sizeof(U) == 2) u = __builtin_bswap16(u);
  if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
  if constexpr (sizeof(U) == 8) u = __builtin_bswap64(u);
  std::memcpy(out, &u, sizeof u);
}

template <typename T>
[[nodiscard]] inline T load_be(const std::byte* in) noexcept {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U u;
  std::memcpy(&u, in, sizeof u);
  if constexpr (sizeof(U) == 2) u = __builtin_bswap16(u);
  if constexpr (sizeof(U) == 4) u = __builtin_bswap32(u);
  if constexpr (sizeof(U) == 8) u = __builtin_bswap64(u);
  return static_cast<T>(u);
}

}  // namespace ringkafka::wire
