#include "wire/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ringkafka::wire {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78;  // 0x1EDC6F41 bit-reversed

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero
// bytes, so eight input bytes are folded with eight lookups per step.
using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) != 0 ? kPolynomial : 0);
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

constexpr Tables kTables = make_tables();

std::uint64_t load_le64(const std::byte* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);  // little-endian host (x86-64, aarch64)
  return v;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const std::byte* p, std::size_t n,
                                                              std::uint32_t crc) noexcept {
  std::uint64_t c = ~crc;
  // Byte steps up to 8-byte alignment, then one 8-byte instruction per word.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<std::uint32_t>(c), static_cast<std::uint8_t>(*p++));
    --n;
  }
  for (; n >= 8; n -= 8, p += 8) c = _mm_crc32_u64(c, load_le64(p));
  while (n-- > 0) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), static_cast<std::uint8_t>(*p++));
  return ~static_cast<std::uint32_t>(c);
}
#endif

using Impl = std::uint32_t (*)(std::span<const std::byte>, std::uint32_t) noexcept;

Impl choose() noexcept {
  return crc32c_hardware_available() ? &crc32c_hardware : &crc32c_portable;
}

}  // namespace

std::uint32_t crc32c_portable(std::span<const std::byte> data, std::uint32_t crc) noexcept {
  const std::byte* p = data.data();
  std::size_t n = data.size();
  std::uint32_t c = ~crc;
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint64_t w = load_le64(p) ^ c;
    c = kTables[7][w & 0xff] ^ kTables[6][(w >> 8) & 0xff] ^ kTables[5][(w >> 16) & 0xff] ^
        kTables[4][(w >> 24) & 0xff] ^ kTables[3][(w >> 32) & 0xff] ^
        kTables[2][(w >> 40) & 0xff] ^ kTables[1][(w >> 48) & 0xff] ^ kTables[0][w >> 56];
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ static_cast<std::uint8_t>(*p++)) & 0xff];
  return ~c;
}

bool crc32c_hardware_available() noexcept {
#if defined(__x86_64__)
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
#else
  return false;
#endif
}

std::uint32_t crc32c_hardware(std::span<const std::byte> data, std::uint32_t crc) noexcept {
#if defined(__x86_64__)
  return crc32c_sse42(data.data(), data.size(), crc);
#else
  return crc32c_portable(data, crc);
#endif
}

std::uint32_t crc32c(std::span<const std::byte> data, std::uint32_t crc) noexcept {
  // Resolved once; an indirect call per batch is noise next to the checksum.
  static const Impl impl = choose();
  return impl(data, crc);
}

}  // namespace ringkafka::wire
