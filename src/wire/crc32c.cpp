#include "wire/crc32c.h"

#include "core/slicing_crc.h"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ringkafka::wire {
namespace {

// The portable path; 0x82F63B78 is Castagnoli's 0x1EDC6F41 bit-reversed.
using Portable = core::SlicingCrc32<0x82F63B78>;

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
  return Portable::update(data, crc);
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
