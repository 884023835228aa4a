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

namespace detail {
// Swapping is its own inverse, so one helper serves loads and stores.
template <typename U>
[[nodiscard]] constexpr U byte_swap(U u) noexcept {
  if constexpr (sizeof(U) == 2) return __builtin_bswap16(u);
  if constexpr (sizeof(U) == 4) return __builtin_bswap32(u);
  if constexpr (sizeof(U) == 8) return __builtin_bswap64(u);
  return u;
}
}  // namespace detail

template <typename T>
inline void store_be(std::byte* out, T v) noexcept {
  static_assert(std::is_integral_v<T>);
  const auto u = detail::byte_swap(static_cast<std::make_unsigned_t<T>>(v));
  std::memcpy(out, &u, sizeof u);
}

template <typename T>
[[nodiscard]] inline T load_be(const std::byte* in) noexcept {
  static_assert(std::is_integral_v<T>);
  std::make_unsigned_t<T> u;
  std::memcpy(&u, in, sizeof u);
  return static_cast<T>(detail::byte_swap(u));
}

}  // namespace ringkafka::wire
